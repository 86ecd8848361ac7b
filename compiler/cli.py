"""The `mlopsc` command line: click fills the arguments, the driver does the work.

Exit codes: 0 clean (warnings allowed), 1 errors in the input, 2 usage errors.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from mlopsc.compiler import __version__

if TYPE_CHECKING:
    from mlopsc.compiler.diagnostics import Diagnostic
    from mlopsc.compiler.driver import RunResult
    from mlopsc.compiler.formats.redact import Redactor
    from mlopsc.compiler.source import SourceFile

FORMATS = ("text", "json", "sarif", "github")


def _options(
    targets: tuple[str, ...],
    envs: tuple[str, ...],
    kserve_crd: tuple[str, ...],
    kserve_runtimes: tuple[str, ...] = (),
    *,
    exclude: tuple[str, ...] = (),
) -> object:
    from mlopsc.compiler.ir import Options

    if targets:
        from mlopsc.targets.registry import TARGETS  # the names only: no target module is imported

        unknown = sorted(set(targets) - set(TARGETS))
        if unknown:
            raise click.BadParameter(
                f"no platform named {', '.join(unknown)}; choose from {', '.join(TARGETS)}", param_hint="--target"
            )
    runtimes = tuple(Path(p) for p in kserve_runtimes)
    if runtimes:
        from mlopsc.targets.kserve.runtimes import load

        try:
            load(runtimes)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--kserve-runtimes") from None
    crd = tuple(Path(p) for p in kserve_crd)
    if crd:
        from mlopsc.targets.kserve.crd import CrdLoadError, CrdValidator

        try:
            CrdValidator.from_locations(list(crd))
        except CrdLoadError as exc:
            raise click.BadParameter(str(exc), param_hint="--kserve-crd") from None
    return Options(
        targets=tuple(sorted(set(targets))),
        environments=tuple(envs),
        kserve_crd=crd,
        kserve_runtimes=runtimes,
        exclude=exclude,
    )


# Errors in a command's arguments that only the specs can find (`--env prod` where the specs define
# `staging` and `production`): positioned like any diagnostic (the message lists the valid choices), but
# the run exits 2, as for any usage error, when they are its only errors.
USAGE_CODES = frozenset({"E111"})


def exit_code(result: object) -> int:
    """0 clean, 2 when every error is a usage error of USAGE_CODES, else 1."""
    from mlopsc.compiler.driver import RunResult

    assert isinstance(result, RunResult)
    if not result.failed:
        return 0
    return 2 if all(d.code in USAGE_CODES for d in result.diagnostics if d.is_error) else 1


def _report(result: object, fmt: str, quiet_ok: str = "") -> int:
    from mlopsc.compiler.diagnostics import render_json, render_text, summary_line
    from mlopsc.compiler.driver import RunResult

    assert isinstance(result, RunResult)
    if result.excluded:
        click.echo(f"mlopsc: note: not searched, as --exclude asks: {', '.join(result.excluded)}", err=True)
    diagnostics, sources = _redacted(result)
    if fmt == "json":
        click.echo(render_json(diagnostics), nl=False)
    elif fmt == "sarif":
        from mlopsc.compiler.formats.sarif import render_sarif

        click.echo(render_sarif(diagnostics), nl=False)
    elif fmt == "github":
        from mlopsc.compiler.formats.github import render_github

        click.echo(render_github(diagnostics), nl=False)
    else:
        if diagnostics:
            click.echo(render_text(diagnostics, sources, color=_color()), err=True)
        if result.failed or diagnostics:
            click.echo(summary_line(diagnostics), err=True)
        elif quiet_ok:
            click.echo(quiet_ok, err=True)
    return exit_code(result)


def _redacted(result: RunResult) -> tuple[list[Diagnostic], dict[str, SourceFile]]:
    """The run's diagnostics and the sources they quote, through the one redaction point."""
    if not result.diagnostics:
        return [], {}
    from mlopsc.compiler.formats.redact import redact

    return redact(result.diagnostics, result.sources, _rendered_sources(result), result.secrets)


def _rendered_sources(result: object) -> dict[str, SourceFile]:
    """Rendered files that policy findings point at (`<out>/<path>`), so text output can quote their lines."""
    from mlopsc.compiler.source import SourceFile

    files = getattr(result, "files", [])
    wanted = {d.file for d in getattr(result, "diagnostics", [])}
    by_path = {file.path: (i, file.content) for i, file in enumerate(files)}
    out: dict[str, SourceFile] = {}
    for name in wanted:
        # the files whose path ends `name` after a "/" (the last of them, in order), looked up by suffix:
        # files x names comparisons took seconds for a thousand specs
        parts = name.split("/")
        hits = [by_path[suffix] for k in range(1, len(parts)) if (suffix := "/".join(parts[k:])) in by_path]
        if hits:
            out[name] = SourceFile.from_text(name, max(hits)[1])
    return out


def _with_policy(options: object, policy: str | None, out: str | None = None) -> object:
    """Add `--policy FILE` (and, for compile, the --out folder policy findings in rendered files name)."""
    from dataclasses import replace

    from mlopsc.compiler.ir import Options

    assert isinstance(options, Options)
    if policy:
        options = replace(options, policy_file=Path(policy))
    if out is not None:
        options = replace(options, rendered_root=Path(out).as_posix())
    return options


def _color() -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ


def _run(fn: object, *args: object, **kwargs: object) -> object:
    """Turn the driver's expected failures into usage errors; never show a traceback."""
    from mlopsc.compiler.discover import DiscoveryError

    assert callable(fn)
    try:
        return fn(*args, **kwargs)
    except DiscoveryError as exc:
        raise click.UsageError(str(exc)) from None


def refuse_out(out: Path) -> None:
    """A usage error (exit 2), before anything is compiled, when --out cannot be replaced as a whole."""
    from mlopsc.compiler.writer import WriteError, refuse_unswappable

    try:
        refuse_unswappable(out)
    except WriteError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None


def _exit(code: int) -> NoReturn:
    sys.exit(code)


target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    help="Render only this platform (repeatable); default: every configured platform.",
)
env_option = click.option("--env", "envs", multiple=True, metavar="NAME", help="Only this environment (repeatable).")
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="How to print diagnostics."
)
policy_option = click.option(
    "--policy",
    "policy",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Org policy file; default: .mlopsc/policy.yaml at the repository root (the spec's git top-level, "
    "else the working folder). A nested .mlopsc/policy.yaml is an error.",
)
crd_option = click.option(
    "--kserve-crd",
    "kserve_crd",
    multiple=True,
    type=click.Path(),
    help="KServe CRD file or folder to validate rendered KServe resources against "
    "(e.g. from `kubectl get crd inferenceservices.serving.kserve.io -o yaml`).",
)
runtimes_option = click.option(
    "--kserve-runtimes",
    "kserve_runtimes",
    multiple=True,
    type=click.Path(exists=True),
    help="ClusterServingRuntime/ServingRuntime YAML file or folder to check KServe runtime selection against "
    "(e.g. from `kubectl get clusterservingruntimes -o yaml`); default: a KServe v0.20.0 install's runtimes.",
)
exclude_option = click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="PATTERN",
    help="Do not search folders matching PATTERN (a name or a path under PATH, shell wildcards; repeatable). "
    "Excluded folders are reported. Hidden folders, venv, node_modules and __pycache__ are never searched.",
)
jobs_option = click.option(
    "--jobs",
    "jobs",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Compile the specs in N processes; default 0: one per usable CPU; 1: in this process.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlopsc")
def cli() -> None:
    """Compile mlops.yaml into deployable files for KServe, SageMaker, Vertex AI and Azure ML.

    Dates (approval expiry, `approve` stamps) use one UTC clock read once per run; MLOPSC_NOW=<RFC 3339>
    replaces it.
    """
    from mlopsc.compiler.clock import ClockError, pin, unpin

    try:
        pin()
    except ClockError as exc:
        raise click.UsageError(str(exc)) from None
    click.get_current_context().call_on_close(unpin)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@target_option
@env_option
@format_option
@policy_option
@jobs_option
@exclude_option
def validate(
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    envs: tuple[str, ...],
    fmt: str,
    policy: str | None,
    jobs: int,
    exclude: tuple[str, ...],
) -> None:
    """Check specs (and what they would render) without writing anything; policy rules included."""
    _check_specs(paths, targets, envs, fmt, policy, jobs, exclude, quiet_ok="")


def _check_specs(
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    envs: tuple[str, ...],
    fmt: str,
    policy: str | None,
    jobs: int,
    exclude: tuple[str, ...],
    quiet_ok: str,
) -> NoReturn:
    """`validate` and `policy`: the whole pipeline, policy rules included, nothing written."""
    from mlopsc.compiler.driver import compile_paths

    options = _with_policy(_options(targets, envs, (), exclude=exclude), policy)
    result = _run(compile_paths, paths, options, jobs=jobs, bodies=False, units=False)
    _exit(_report(result, fmt, quiet_ok=quiet_ok))


@cli.command(name="compile")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="rendered",
    show_default=True,
    help="Folder to render into: <out>/<env>/<model>/<platform>/.",
)
@target_option
@env_option
@format_option
@crd_option
@runtimes_option
@policy_option
@jobs_option
@exclude_option
def compile_(
    paths: tuple[str, ...],
    out: str,
    targets: tuple[str, ...],
    envs: tuple[str, ...],
    fmt: str,
    kserve_crd: tuple[str, ...],
    kserve_runtimes: tuple[str, ...],
    policy: str | None,
    jobs: int,
    exclude: tuple[str, ...],
) -> None:
    """Render specs into --out. On any error nothing under --out changes."""
    from mlopsc.compiler.driver import compile_paths
    from mlopsc.compiler.writer import WriteError, environment_indexes, write_tree

    out_dir = Path(out)
    refuse_out(out_dir)
    options = _with_policy(_options(targets, envs, kserve_crd, kserve_runtimes, exclude=exclude), policy, out)
    result = _run(compile_paths, paths, options, exclude=out_dir, jobs=jobs, bodies=False, units=False)
    code = _report(result, fmt)
    if code:
        _exit(code)
    files = result.files + environment_indexes(result.files, out_dir)  # type: ignore[attr-defined]
    try:
        written = write_tree(files, out_dir)
    except (WriteError, OSError) as exc:
        click.echo(f"mlopsc: error: {exc}", err=True)
        _exit(1)
    if fmt == "text":
        click.echo(f"wrote {len(written)} files under {out_dir.as_posix()}/", err=True)
    _exit(0)


@cli.command()
@click.argument("path")
@env_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--print-ir", is_flag=True, help="Print the IR after each pass.")
def explain(path: str, envs: tuple[str, ...], fmt: str, print_ir: bool) -> None:
    """Print each environment's effective spec and every decision with its inputs and positions."""
    from mlopsc.compiler.driver import compile_paths
    from mlopsc.compiler.explain import explain_json, explain_text, print_between

    result = _run(compile_paths, (path,), _options((), envs, ()), between=print_between if print_ir else None)
    code = _report(result, "text")
    units = result.units  # type: ignore[attr-defined]
    redactor = _redactor(result)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(redactor.text(json.dumps(explain_json(units), indent=2, sort_keys=True)))
    else:
        click.echo(redactor.text(explain_text(units)))
    _exit(code)


def _redactor(result: RunResult) -> Redactor:
    """The redaction point for a command's other output (`explain`, `diff`, `check`'s diff)."""
    from mlopsc.compiler.formats.redact import run_redactor

    return run_redactor(result.diagnostics, result.sources, result.secrets)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of mlops.yaml (for editors and check-jsonschema)."""
    from mlopsc.compiler.spec.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


@cli.command()
@click.argument("path", default="mlops.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing spec.")
def init(path: str, force: bool) -> None:
    """Write a commented starter spec that compiles.

    PATH is a folder when it ends with `/`, is an existing folder or has no extension: the spec is
    written to PATH/mlops.yaml (folders created), named after the folder when that is a valid model
    name. Otherwise PATH is the file to write (default: mlops.yaml here).
    """
    from mlopsc.compiler.starter import init_target, starter

    target, name = init_target(path, Path.cwd())
    shown = target.as_posix()
    if target.is_dir():
        click.echo(f"mlopsc: error: {shown} is a folder; name the spec file or another folder", err=True)
        _exit(1)
    if (target.exists() or target.is_symlink()) and not force:
        click.echo(f"mlopsc: error: {shown} exists; use --force to overwrite it", err=True)
        _exit(1)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()  # --force replaces the link, never writes through it
        target.write_text(starter(name), encoding="utf-8")
    except OSError as exc:
        click.echo(f"mlopsc: error: cannot write {shown}: {exc.strerror or exc}", err=True)
        _exit(1)
    click.echo(f"wrote {shown}: edit it, then run `mlopsc compile {shlex.quote(shown)}`", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@target_option
@env_option
@format_option
@policy_option
@jobs_option
@exclude_option
def policy(
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    envs: tuple[str, ...],
    fmt: str,
    policy: str | None,
    jobs: int,
    exclude: tuple[str, ...],
) -> None:
    """Run the policy rules (secrets, approvals, production safety, rendered output); write nothing."""
    _check_specs(paths, targets, envs, fmt, policy, jobs, exclude, quiet_ok="policy: no findings")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--env", "env", required=True, metavar="NAME", help="The environment approved.")
@click.option("--by", "by", required=True, metavar="EMAIL", help="Who approves (not the model's owner).")
@click.option("--role", "role", required=True, metavar="ROLE", help="The approver's role, e.g. model-risk.")
@click.option("--ticket", default=None, metavar="ID", help="Change ticket recorded with the approval.")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day the approval counts (YYYY-MM-DD); default: 90 days from today (UTC).",
)
@click.option(
    "--no-expires",
    is_flag=True,
    help="Write no expiry: the approval stands until what it approves changes (unless the org policy "
    "requires one with approvals.require_expires).",
)
@click.option(
    "--sign-key",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="SSH private key to sign the record with (`ssh-keygen -Y sign`), for org policies that require it.",
)
def approve(
    path: str,
    env: str,
    by: str,
    role: str,
    ticket: str | None,
    expires: object,
    no_expires: bool,
    sign_key: str | None,
) -> None:
    """Append an approval of the environment's deployment subject to the spec (comments kept).

    The record's `digest` binds the artifact digest and every image, URI and command of the environment."""
    from datetime import datetime

    from mlopsc.compiler.diagnostics import render_text, summary_line
    from mlopsc.compiler.discover import not_a_spec_file
    from mlopsc.policies.approve import ApproveError
    from mlopsc.policies.approve import approve as write_approval

    refused = not_a_spec_file(Path(path))
    if refused is not None:
        click.echo(f"mlopsc: error: {refused}", err=True)
        _exit(1)
    until = expires.date() if isinstance(expires, datetime) else None
    key = Path(sign_key) if sign_key else None
    try:
        done = write_approval(
            Path(path), env, by, role, ticket=ticket, expires=until, no_expires=no_expires, sign_key=key
        )
    except ApproveError as exc:
        click.echo(f"mlopsc: error: {exc}", err=True)
        _exit(1)
    if isinstance(done, list):
        from mlopsc.compiler.formats.redact import redact
        from mlopsc.compiler.source import SourceFile

        spec = Path(path)
        shown, sources = redact(done, {path: SourceFile.from_text(path, spec.read_text("utf-8", "replace"))})
        click.echo(render_text(shown, sources, color=_color()), err=True)
        click.echo(summary_line(shown), err=True)
        _exit(1)
    signed = " (signed)" if done.signed else ""
    click.echo(f"approved {env} for {done.digest}{signed}: record appended to {done.location} in {path}", err=True)


@cli.command(name="targets")
@click.option("--capabilities", "show_capabilities", is_flag=True, help="Print what each platform can do.")
def list_targets(show_capabilities: bool) -> None:
    """List the platforms mlopsc renders (with --capabilities: what each can do, and the vendor source)."""
    from mlopsc.targets.registry import TARGETS

    if show_capabilities:
        from mlopsc.targets.capabilities import text

        click.echo(text([(name, t.title, t.capabilities) for name, t in TARGETS.items()]), nl=False)
        return
    for name, target in TARGETS.items():
        click.echo(f"{name:<10} {target.title}")


_FRAMEWORK_CHOICES = ("sklearn", "xgboost", "lightgbm", "pytorch", "tensorflow", "onnx", "huggingface")
_PLATFORM_CHOICES = ("kserve", "sagemaker", "vertex", "azureml")


@cli.command()
@click.option("--framework", "frameworks", multiple=True, type=click.Choice(_FRAMEWORK_CHOICES), help="Only these.")
@click.option("--platform", "platforms", multiple=True, type=click.Choice(_PLATFORM_CHOICES), help="Only these.")
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text", show_default=True)
def runtimes(frameworks: tuple[str, ...], platforms: tuple[str, ...], fmt: str) -> None:
    """Show what each framework version is served with on each platform, or why it cannot be and what to do."""
    import json

    from mlopsc.targets import matrix

    chosen_frameworks = tuple(f for f in _FRAMEWORK_CHOICES if not frameworks or f in frameworks)
    chosen_platforms = tuple(p for p in _PLATFORM_CHOICES if not platforms or p in platforms)
    rows = matrix.matrix(chosen_frameworks, chosen_platforms)
    if fmt == "json":
        data = [
            {
                "framework": c.framework,
                "version": c.version,
                "platform": c.platform,
                "resolves_to": c.resolves_to,
                "detail": c.detail,
            }
            for row in rows
            for c in row
        ]
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    elif fmt == "markdown":
        click.echo(matrix.markdown(rows, chosen_platforms), nl=False)
    else:
        click.echo(matrix.text(rows, chosen_platforms), nl=False)


def _register_gitops() -> None:
    """`check`, `diff` and `rollout`: the GitOps commands of compiler/gitops/commands.py."""
    from mlopsc.compiler.gitops.commands import commands

    for command in commands(FORMATS, jobs_option, exclude_option):
        cli.add_command(command)


_register_gitops()


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("mlopsc: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("MLOPSC_DEBUG"):
            raise
        click.echo(
            f"mlopsc: error[E900]: internal error: {type(exc).__name__}: {exc}\n"
            "  = hint: please report this with the spec that caused it (MLOPSC_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
