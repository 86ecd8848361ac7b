"""The GitHub Action's work, run by action.yml as `python -m mlopsc.compiler.gitops.action`.

Inputs come only from the environment (action.yml maps each input to an `MLOPSC_*` variable through
`env:`, never into the script text):

| variable | meaning | default |
|---|---|---|
| MLOPSC_PATHS | specs or folders, separated by spaces or newlines | `.` |
| MLOPSC_OUT | the committed rendered tree to check | `rendered` |
| MLOPSC_CHECK | `true` to run the drift check of MLOPSC_OUT | `true` |
| MLOPSC_BASE | git ref to diff against | `origin/$GITHUB_BASE_REF` on a pull request |
| MLOPSC_TARGETS, MLOPSC_ENVIRONMENTS | narrow the render (spaces or newlines) | all |
| MLOPSC_SARIF | where to write the SARIF file | `mlopsc.sarif` |
| MLOPSC_POLICY | org policy file | `.mlopsc/policy.yaml` above each spec |
| MLOPSC_EXCLUDE | folder patterns discovery does not search (spaces or newlines), as `--exclude` | none |
| MLOPSC_FAIL_ON_ERROR | `false` to exit 0 even with errors (then fail a later step on the `errors` output) | `true` |

It compiles the specs once (validation and the policy rules: the policy pass runs in every compile;
MLOPSC_POLICY names an org policy file, else `.mlopsc/policy.yaml` is found as the CLI does) and runs
the drift check, then writes the annotations (`--format github`: real line and column, on stdout),
appends the Markdown job summary to `$GITHUB_STEP_SUMMARY`, writes the SARIF file and a JSON report,
and sets outputs in `$GITHUB_OUTPUT`: `errors`, `warnings`, `stale`, `changed`, `sarif`, `report`,
`summary`.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from mlopsc.compiler.diagnostics import Diagnostic, sort_diagnostics
from mlopsc.compiler.explain import explain_json
from mlopsc.compiler.formats.github import render_github
from mlopsc.compiler.formats.sarif import render_sarif
from mlopsc.compiler.gitops import check as drift
from mlopsc.compiler.gitops.gitbase import GitError, Side, diff_against, git, traffic_of
from mlopsc.compiler.gitops.render import render
from mlopsc.compiler.gitops.semdiff import SemanticDiff, Traffic
from mlopsc.compiler.gitops.summary import Findings, build, counts
from mlopsc.compiler.gitops.tree import Scope
from mlopsc.compiler.ir import Emitted, Json, Options, Plan


def _words(value: str | None) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


def split_policy(diagnostics: Sequence[Diagnostic]) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """(validation, policy): the policy pass runs inside every compile; its codes are the policy rules'."""
    from mlopsc.compiler.formats.catalogue import policy_codes

    ids = {info.id for info in policy_codes()}
    return tuple(d for d in diagnostics if d.code not in ids), tuple(d for d in diagnostics if d.code in ids)


def resolve_base(base: str, cwd: Path) -> str:
    """The commit to diff against: where the branch left `base` (a PR shows only its own changes)."""
    try:
        return git(["merge-base", base, "HEAD"], cwd).decode().strip()
    except GitError:
        return base


def run_action(env: Mapping[str, str], cwd: Path) -> int:
    paths = _words(env.get("MLOPSC_PATHS")) or (".",)
    out = Path(env.get("MLOPSC_OUT") or "rendered")
    targets, environments = _words(env.get("MLOPSC_TARGETS")), _words(env.get("MLOPSC_ENVIRONMENTS"))
    options = Options(
        targets=tuple(sorted(set(targets))),
        environments=environments,
        policy_file=Path(env["MLOPSC_POLICY"]) if env.get("MLOPSC_POLICY") else None,
        exclude=_words(env.get("MLOPSC_EXCLUDE")),
        rendered_root=drift.out_label(out),
    )
    rendering = render(paths, options, exclude=out)
    spec, policy = split_policy(rendering.result.diagnostics)
    report: drift.CheckReport | None = None
    check_note = ""
    stale: tuple[Diagnostic, ...] = ()
    if (env.get("MLOPSC_CHECK") or "true").lower() != "true":
        check_note = "not checked (check: false)"
    elif rendering.failed:
        check_note = "not checked: the specs have errors"
    else:
        report = drift.compare(rendering.files, out, Scope(frozenset(environments), frozenset(targets)))
        excludes = [arg for pattern in options.exclude for arg in ("--exclude", pattern)]
        command = shlex.join(["mlopsc", "check", *paths, "--out", drift.out_label(out), *excludes, "--fix"])
        hint = f"run `{command}` and commit the result"
        stale = tuple(drift.diagnostics(report, hint))
    base = env.get("MLOPSC_BASE") or (f"origin/{env['GITHUB_BASE_REF']}" if env.get("GITHUB_BASE_REF") else "")
    diff: SemanticDiff | None = None
    diff_note = ""
    base_traffic: dict[tuple[str, str], Traffic] = {}
    base_secrets: frozenset[str] = frozenset()
    plans: list[Plan] = [p for u in rendering.result.units if isinstance(u, Emitted) for p in u.plans]
    if rendering.failed:
        diff_note = "No diff: the specs have errors."
    elif not base:
        diff_note = "No base ref (not a pull request and no `base` input): nothing to compare with."
    else:
        try:
            ref = resolve_base(base, cwd)
            head = Side(tuple(rendering.result.files), traffic_of(rendering.result.units), (), ())
            diff, base_side = diff_against(ref, paths, options, head, label=base)
            base_traffic = base_side.traffic
            base_secrets = base_side.secrets
        except GitError as exc:
            diff_note = f"No diff against `{base}`: {exc}"
    from mlopsc.compiler.formats.redact import redact, run_redactor

    result = rendering.result
    everything, _ = redact(sort_diagnostics([*spec, *policy, *stale]), result.sources, known=result.secrets)
    known = {**result.secrets, "base:": base_secrets}
    redactor = run_redactor(result.diagnostics, result.sources, known)
    summary = redactor.text(
        build(
            Findings(spec, policy, report, check_note),
            diff,
            diff_note,
            plans,
            base_traffic,
            explain_json(rendering.result.units),
            stale,
        )
    )
    sys.stdout.write(render_github(everything))
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as handle:
            handle.write(summary)
    temp = Path(env.get("RUNNER_TEMP") or cwd)
    summary_path = temp / "mlopsc-summary.md"
    summary_path.write_text(summary, encoding="utf-8")
    report_path = temp / "mlopsc-report.json"
    report_data: dict[str, Json] = {
        "diagnostics": [_json(d.to_json()) for d in everything],
        "stale": [{"path": d.path, "status": d.status} for d in (report.drifts if report else ())],
        "diff": json.loads(redactor.text(diff.to_json())) if diff is not None else None,
    }
    report_path.write_text(json.dumps(report_data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    sarif_path = Path(env.get("MLOPSC_SARIF") or "mlopsc.sarif")
    sarif_path.write_text(render_sarif(everything), encoding="utf-8")
    errors, warnings = counts(everything)
    outputs = {
        "errors": str(errors),
        "warnings": str(warnings),
        "stale": str(len(stale)),
        "changed": str(len(diff.groups) if diff is not None else 0),
        "sarif": sarif_path.as_posix(),
        "report": report_path.as_posix(),
        "summary": summary_path.as_posix(),
    }
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
            handle.write(format_outputs(outputs))
    sys.stderr.write(f"mlopsc: {errors} error(s), {warnings} warning(s), {len(stale)} stale file(s)\n")
    fail = (env.get("MLOPSC_FAIL_ON_ERROR") or "true").lower() == "true"
    return 1 if errors and fail else 0


def _json(value: object) -> Json:
    return json.loads(json.dumps(value))  # type: ignore[no-any-return]


def format_outputs(outputs: Mapping[str, str]) -> str:
    """`$GITHUB_OUTPUT` lines; a random delimiter so no value can end its own block."""
    text = ""
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
        text += f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
    return text


def main() -> None:
    sys.exit(run_action(os.environ, Path.cwd()))


if __name__ == "__main__":
    main()
