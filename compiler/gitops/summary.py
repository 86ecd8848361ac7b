"""The job summary of the GitHub Action: Markdown that GitHub renders on the run's page.

Sections: a verdict table (validate, policy, rendered tree), what changes per model and environment on
each platform (the semantic diff against the PR base), a Mermaid flowchart of each rollout (previous ->
new version with traffic shares, the monitors watching it, what rolls back and what starts retraining),
policy results, every diagnostic, and the decisions that fired (folded). GitHub keeps at most 1 MiB of
summary per step: `cap` cuts at a line, closes an open code fence or `<details>`, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.gitops.check import CheckReport
from mlopsc.compiler.gitops.semdiff import SemanticDiff, Traffic, md_cell
from mlopsc.compiler.ir import Json, Plan

LIMIT = 1_000_000  # bytes; GitHub's limit is 1 MiB (1,048,576) per step
MAX_ROWS = 200


@dataclass(frozen=True)
class Findings:
    spec: tuple[Diagnostic, ...]
    policy: tuple[Diagnostic, ...]
    check: CheckReport | None  # None: the drift check was not run
    check_note: str = ""


def counts(diagnostics: Sequence[Diagnostic]) -> tuple[int, int]:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING and not d.suppressed)
    return errors, warnings


def build(
    findings: Findings,
    diff: SemanticDiff | None,
    diff_note: str,
    plans: Sequence[Plan],
    base_traffic: Mapping[tuple[str, str], Traffic],
    explain: Sequence[Json],
    drift: Sequence[Diagnostic],
) -> str:
    everything = [*findings.spec, *findings.policy, *drift]
    errors, warnings = counts(everything)
    icon = "❌" if errors else "✅"
    out = [
        f"## {icon} mlopsc: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}",
        "",
    ]
    out += ["| check | result |", "|---|---|"]
    out.append(f"| validate | {_verdict(findings.spec)} |")
    out.append(f"| policy | {_verdict(findings.policy)} |")
    if findings.check is not None:
        c = findings.check.counts()
        stale = (
            "up to date"
            if findings.check.clean
            else (f"❌ stale: {c['differs']} differ, {c['missing']} missing, {c['orphaned']} orphaned")
        )
        out.append(f"| rendered tree `{findings.check.out}/` | {stale} |")
    else:
        out.append(f"| rendered tree | {md_cell(findings.check_note or 'not checked')} |")
    out.append("")
    out += ["### What changes", ""]
    out += [diff.markdown() if diff is not None else f"{diff_note or 'no base to compare with'}\n"]
    if plans:
        out += ["### Rollout", ""]
        for plan in plans:
            out += [
                f"#### `{plan.model_name}` in `{plan.environment}`",
                "",
                "```mermaid",
                mermaid(plan, base_traffic.get((plan.environment, plan.model_name))),
                "```",
                "",
            ]
    out += ["### Policy results", ""]
    if not findings.policy:
        out += ["No policy finding.", ""]
    else:
        out += _table(findings.policy)
    shown = [d for d in [*findings.spec, *drift] if d.severity is not Severity.NOTE]
    if shown:
        out += ["### Diagnostics", "", *_table(shown)]
    out += _decisions(explain)
    return cap("\n".join(out).rstrip("\n") + "\n")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _verdict(diagnostics: Sequence[Diagnostic]) -> str:
    errors, warnings = counts(diagnostics)
    if errors:
        return f"❌ {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    return f"✅ passed ({warnings} warning{'s' if warnings != 1 else ''})"


def _table(diagnostics: Sequence[Diagnostic]) -> list[str]:
    rows = ["| where | code | message |", "|---|---|---|"]
    for d in list(diagnostics)[:MAX_ROWS]:
        where = f"{d.file}:{d.line}:{d.col}" if d.line else d.file
        label = f"{d.severity.value} {d.code}" + (" (waived)" if d.suppressed else "")
        rows.append(f"| `{md_cell(where)}` | {label} | {md_cell(d.message)} |")
    if len(diagnostics) > MAX_ROWS:
        rows.append(f"| | | … and {len(diagnostics) - MAX_ROWS} more (see the annotations and the SARIF file) |")
    return [*rows, ""]


def _decisions(explain: Sequence[Json]) -> list[str]:
    out: list[str] = []
    for entry in explain:
        if not isinstance(entry, dict):
            continue
        rows: list[str] = []
        decisions: list[Json] = list(entry.get("decisions") or [])  # type: ignore[arg-type]
        targets = entry.get("targets") or {}
        if isinstance(targets, dict):
            for target in targets.values():
                if isinstance(target, dict):
                    decisions += list(target.get("decisions") or [])  # type: ignore[arg-type]
        for d in decisions:
            if isinstance(d, dict) and d.get("kind") != "mapping":
                rows.append(
                    f"| {md_cell(str(d.get('rule')))} | `{md_cell(str(d.get('field')))}` | "
                    f"`{md_cell(_show(d.get('value')))}` | {md_cell(str(d.get('reason')))} |"
                )
        if rows:
            out += [
                f"<details><summary>Decisions for <code>{entry.get('model')}</code> in "
                f"<code>{entry.get('environment')}</code> ({len(rows)})</summary>",
                "",
                "| rule | decided | value | why |",
                "|---|---|---|---|",
                *rows,
                "",
                "</details>",
                "",
            ]
    return out


def _show(value: Json) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return "none" if value is None else str(value)


def _label(text: str) -> str:
    """A Mermaid label in double quotes: quotes become entities, nothing can end the label."""
    return '"' + text.replace('"', "#quot;").replace("\n", " ") + '"'


def mermaid(plan: Plan, before: Traffic | None) -> str:
    """previous -> new with traffic shares (old -> new when it moved), monitors, rollback, retraining."""
    spec, rollout = plan.spec, plan.derived.rollout
    strategy = str(rollout.strategy)
    before_state = before.state if before is not None else None
    lines = ["flowchart LR", f"  requests([{_label('requests')}])"]
    new_name = f"{spec.metadata.name} {spec.model.version} ({strategy})"
    lines.append(f"  new[{_label(new_name)}]")
    previous = rollout.previous  # deployed beside the new version (the decided state)
    split = previous is not None
    if previous is not None:
        lines.append(f"  previous[{_label(f'{spec.metadata.name} {previous.version} (live)')}]")
        old_prev = before_state.previous if before_state is not None else None
        share_old = _share(None if old_prev is None else old_prev.live_share, previous.live_share)
        lines.append(f"  requests -->|{_label(share_old)}| previous")
    new = rollout.new
    old_new = before_state.new if before_state is not None else None
    if new.mirrored_share or rollout.shadow:
        share_new = _share(None if old_new is None else old_new.mirrored_share, new.mirrored_share)
        lines.append(f"  requests -.->|{_label('mirrored ' + share_new)}| new")
    else:
        share_new = _share(None if old_new is None else old_new.live_share, new.live_share)
        lines.append(f"  requests -->|{_label(share_new)}| new")
    watched = _monitors(plan)
    if watched:
        lines.append(f"  monitors{{{{{_label('monitors: ' + '; '.join(watched))}}}}}")
        lines.append("  new -.-> monitors")
        rollback = [str(a) for a in spec.rollout.rollback.on]
        if rollback and split:
            lines.append(f"  monitors -.->|{_label('roll back on ' + ', '.join(rollback))}| previous")
        retraining = spec.retraining
        if retraining is not None and retraining.triggers:
            when = f"retraining ({retraining.schedule})" if retraining.schedule else "retraining"
            lines.append(f"  retrain[[{_label(when)}]]")
            lines.append(
                f"  monitors -.->|{_label('trigger: ' + ', '.join(str(t) for t in retraining.triggers))}| retrain"
            )
    return "\n".join(lines)


def _share(was: int | None, now: int) -> str:
    return f"{now}%" if was is None or was == now else f"{was}% → {now}%"


def _monitors(plan: Plan) -> list[str]:
    spec, derived = plan.spec, plan.derived
    out: list[str] = []
    if derived.latency_alert_ms is not None:
        out.append(f"p95 above {_show(derived.latency_alert_ms)} ms")
    monitoring = spec.monitoring
    if monitoring is not None and monitoring.slo.error_rate is not None:
        out.append(f"errors above {_show(derived.error_rate_alert * 100)}%")
    if monitoring is not None and monitoring.drift is not None:
        out.append(f"drift {monitoring.drift.method} above {_show(derived.drift_retrain)}")
    if monitoring is not None and monitoring.quality is not None:
        out.append(f"{monitoring.quality.metric} down {_show(derived.quality_retrain_drop * 100)}%")
    return out


def cap(text: str, limit: int = LIMIT) -> str:
    """Keep the summary under `limit` bytes, cut at a line, with open blocks closed and a note."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    note = (
        f"\n> **Summary truncated**: {len(data)} bytes is over GitHub's 1 MiB limit; "
        "the annotations and the SARIF file have everything.\n"
    )
    keep = data[: limit - len(note.encode()) - 64].decode("utf-8", errors="ignore")
    keep = keep[: keep.rfind("\n") + 1]
    if keep.count("```") % 2:
        keep += "```\n"
    keep += "</details>\n" * max(0, keep.count("<details>") - keep.count("</details>"))
    return keep + note
