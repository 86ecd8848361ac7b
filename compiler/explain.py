"""`mlopsc explain`: each environment's effective spec and every decision, with where its inputs are."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, fields, is_dataclass

from mlopsc.compiler.ir import Decided, Decision, Emitted, Json, Plan, Resolved, Stack
from mlopsc.compiler.passes import IR
from mlopsc.compiler.serialize import dump_yaml


def _plans_and_stacks(unit: IR) -> tuple[tuple[Plan, ...], tuple[Stack, ...]]:
    if isinstance(unit, Emitted | Resolved):
        return unit.plans, unit.stacks
    if isinstance(unit, Decided):
        return unit.plans, ()
    return (), ()


def _decision_json(d: Decision) -> dict[str, Json]:
    return {
        "rule": d.rule,
        "field": d.field,
        "value": d.value,
        "kind": d.kind,
        "reason": d.reason,
        "inputs": [{"path": i.path, "value": i.value, "line": i.line, "col": i.col} for i in d.inputs],
    }


def explain_json(units: Sequence[IR]) -> list[Json]:
    out: list[Json] = []
    for unit in units:
        plans, stacks = _plans_and_stacks(unit)
        for plan in plans:
            out.append(
                {
                    "file": unit.unit.source.path,
                    "environment": plan.environment,
                    "model": plan.model_name,
                    "effective": _plain(plan.document),
                    "subject": _subject_json(plan),
                    "decisions": [_decision_json(d) for d in plan.decisions],
                    "targets": {
                        s.target: {
                            "components": dict(s.items()),
                            "decisions": [_decision_json(d) for d in s.decisions],
                        }
                        for s in stacks
                        if s.environment == plan.environment
                    },
                }
            )
            if plan.registry is not None:
                from mlopsc.compiler.registrymap import explain_json as registry_json

                entry = out[-1]
                assert isinstance(entry, dict)
                entry["registry"] = registry_json(plan.registry)
    return out


def explain_text(units: Sequence[IR]) -> str:
    lines: list[str] = []
    for unit in units:
        path = unit.unit.source.path
        plans, stacks = _plans_and_stacks(unit)
        for plan in plans:
            lines.append(f"== {path}: environment `{plan.environment}`, model `{plan.model_name}` ==")
            lines.append("effective spec:")
            lines.extend("  " + line for line in dump_yaml(_plain(plan.document)).splitlines())
            subject = _subject_json(plan)
            lines.append(f"deployment subject (what an approval of `{plan.environment}` binds): {subject['digest']}")
            fields = subject["fields"]
            assert isinstance(fields, dict)
            lines.extend(f"  {name}" for name in sorted(fields))
            lines.append("decisions:")
            lines.extend(_decision_lines(plan.decisions, path))
            for stack in (s for s in stacks if s.environment == plan.environment):
                lines.append(f"target {stack.target}:")
                lines.extend(_decision_lines(stack.decisions, path))
            if plan.registry is not None:
                from mlopsc.compiler.registrymap import explain_lines

                lines.extend(explain_lines(plan.registry))
            lines.append("")
    return "\n".join(lines)


def _subject_json(plan: Plan) -> dict[str, Json]:
    """The environment's deployment subject (policies/subject.py): its digest, which `mlopsc approve`
    writes into an approval, and the fields it covers."""
    from mlopsc.policies.subject import deployment_subject, digest_of

    subject = deployment_subject(plan.spec, plan.environment)
    return {"digest": digest_of(subject), "fields": _plain(subject)}


def _decision_lines(decisions: Sequence[Decision], path: str) -> list[str]:
    lines = []
    for d in decisions:
        lines.append(f"  [{d.rule}] {d.field} = {_show(d.value)}  ({d.kind}) {d.reason}")
        for i in d.inputs:
            lines.append(f"      from {i.path} = {_show(i.value)} at {path}:{i.line}:{i.col}")
    return lines


def _show(value: Json) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _plain(value: object) -> Json:
    """The document as plain JSON data (YamlFloat back to its written text's value)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)  # StrEnum members become their spelling
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, float):
        return float(value)
    return str(value)


def print_between(name: str, ir: IR) -> None:
    """The --print-ir callback: a summary of the IR after each pass, on stderr."""
    sys.stderr.write(f"--- after {name}: {type(ir).__name__} ---\n")
    summary: dict[str, Json] = {}
    for f in fields(ir):
        value = getattr(ir, f.name)
        if f.name == "unit":
            summary["source"] = ir.unit.source.path
        elif f.name == "document":
            summary["document_keys"] = [str(k) for k in sorted(value)]
        elif isinstance(value, tuple):
            summary[f.name] = [_brief(v) for v in value]
        elif is_dataclass(value) and not isinstance(value, type):
            summary[f.name] = _plain(asdict(value))
    from mlopsc.compiler.formats.redact import Redactor

    sys.stderr.write(Redactor.of_sources([ir.unit.source]).text(dump_yaml(summary)))  # the one redaction point


def _brief(value: object) -> Json:
    if isinstance(value, Plan):
        return {"environment": value.environment, "derived": _plain(asdict(value.derived))}
    if isinstance(value, Stack):
        return {"target": value.target, "environment": value.environment, "components": dict(value.items())}
    if hasattr(value, "path") and hasattr(value, "content"):
        return str(value.path)
    if hasattr(value, "name") and hasattr(value, "spec"):
        return str(value.name)
    if hasattr(value, "code") and hasattr(value, "message"):
        return f"{value.code}: {value.message}"
    return str(value)
