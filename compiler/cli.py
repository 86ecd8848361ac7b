"""The `mlopsc` command line: click fills the arguments, the driver does the work.

Exit codes: 0 clean (warnings allowed), 1 errors in the input, 2 usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from mlopsc.compiler import __version__

if TYPE_CHECKING:
    from mlopsc.compiler.source import SourceFile

FORMATS = ("text", "json", "sarif", "github")


def _options(
    targets: tuple[str, ...],
    envs: tuple[str, ...],
    kserve_crd: tuple[str, ...],
    kserve_runtimes: tuple[str, ...] = (),
) -> object:
    from mlopsc.compiler.ir import Options

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
        targets=tuple(sorted(set(targets))), environments=tuple(envs), kserve_crd=crd, kserve_runtimes=runtimes
    )


def _report(result: object, fmt: str, quiet_ok: str = "") -> int:
    from mlopsc.compiler.diagnostics import render_json, render_text, summary_line
    from mlopsc.compiler.driver import RunResult

    assert isinstance(result, RunResult)
    if fmt == "json":
        click.echo(render_json(result.diagnostics), nl=False)
    elif fmt == "sarif":
        from mlopsc.compiler.formats.sarif import render_sarif

        click.echo(render_sarif(result.diagnostics), nl=False)
    elif fmt == "github":
        from mlopsc.compiler.formats.github import render_github

        click.echo(render_github(result.diagnostics), nl=False)
    else:
        if result.diagnostics:
            from mlopsc.compiler.formats.redact import mask_secrets

            sources = mask_secrets(result.diagnostics, {**_rendered_sources(result), **result.sources})
            click.echo(render_text(result.diagnostics, sources, color=_color()), err=True)
        if result.failed or result.diagnostics:
            click.echo(summary_line(result.diagnostics), err=True)
        elif quiet_ok:
            click.echo(quiet_ok, err=True)
    return 1 if result.failed else 0


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
    help="Org policy file; default: the first .mlopsc/policy.yaml above each spec (up to the git root).",
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
def validate(
    paths: tuple[str, ...], targets: tuple[str, ...], envs: tuple[str, ...], fmt: str, policy: str | None, jobs: int
) -> None:
    """Check specs (and what they would render) without writing anything; policy rules included."""
    _check_specs(paths, targets, envs, fmt, policy, jobs, quiet_ok="")


def _check_specs(
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    envs: tuple[str, ...],
    fmt: str,
    policy: str | None,
    jobs: int,
    quiet_ok: str,
) -> NoReturn:
    """`validate` and `policy`: the whole pipeline, policy rules included, nothing written."""
    from mlopsc.compiler.driver import compile_paths

    result = _run(
        compile_paths, paths, _with_policy(_options(targets, envs, ()), policy), jobs=jobs, bodies=False, units=False
    )
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
) -> None:
    """Render specs into --out. On any error nothing under --out changes."""
    from mlopsc.compiler.driver import compile_paths
    from mlopsc.compiler.writer import WriteError, environment_indexes, write_tree

    out_dir = Path(out)
    options = _with_policy(_options(targets, envs, kserve_crd, kserve_runtimes), policy, out)
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
    if fmt == "json":
        click.echo(json.dumps(explain_json(units), indent=2, sort_keys=True))
    else:
        click.echo(explain_text(units))
    _exit(code)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of mlops.yaml (for editors and check-jsonschema)."""
    from mlopsc.compiler.spec.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


@cli.command()
@click.argument("path", default="mlops.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter spec that compiles."""
    from mlopsc.compiler.starter import STARTER

    target = Path(path)
    if target.exists() and not force:
        click.echo(f"mlopsc: error: {path} exists; use --force to overwrite it", err=True)
        _exit(1)
    target.write_text(STARTER, encoding="utf-8")
    click.echo(f"wrote {path}: edit it, then run `mlopsc compile {path}`", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@target_option
@env_option
@format_option
@policy_option
@jobs_option
def policy(
    paths: tuple[str, ...], targets: tuple[str, ...], envs: tuple[str, ...], fmt: str, policy: str | None, jobs: int
) -> None:
    """Run the policy rules (secrets, approvals, production safety, rendered output); write nothing."""
    _check_specs(paths, targets, envs, fmt, policy, jobs, quiet_ok="policy: no findings")


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
    sign_key: str | None,
) -> None:
    """Append an approval of the environment's current artifact digest to the spec (comments kept)."""
    from datetime import datetime

    from mlopsc.compiler.diagnostics import render_text, summary_line
    from mlopsc.policies.approve import ApproveError
    from mlopsc.policies.approve import approve as write_approval

    until = expires.date() if isinstance(expires, datetime) else None
    key = Path(sign_key) if sign_key else None
    try:
        done = write_approval(Path(path), env, by, role, ticket=ticket, expires=until, sign_key=key)
    except ApproveError as exc:
        click.echo(f"mlopsc: error: {exc}", err=True)
        _exit(1)
    if isinstance(done, list):
        click.echo(render_text(done, {}, color=_color()), err=True)
        click.echo(summary_line(done), err=True)
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

    for command in commands(FORMATS, jobs_option):
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
