"""What a target is: a platform backend behind one small Protocol.

A target resolves concrete components for a plan (image, instance type, runtime...), then
emits documents as plain data; the emit pass serialises them and adds the generated header.
Anything the platform cannot do is a ``Finding`` with the reason and the alternatives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Decision, Document, Finding, Json, Options, Plan, Stack
from mlopsc.compiler.source import Path_

if TYPE_CHECKING:
    from mlopsc.targets.capabilities import Capabilities


@dataclass(frozen=True)
class Resolution:
    stack: Stack | None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Emission:
    documents: tuple[Document, ...]
    findings: tuple[Finding, ...] = ()
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True)
class FieldMapping:
    """One row of the generated docs/targets/<name>.md: where a spec field lands on the platform."""

    spec: str  # e.g. "serving.resources.cpu"
    platform: str  # e.g. "spec.predictor.model.resources.requests.cpu"
    note: str = ""


class Target(Protocol):
    name: ClassVar[str]  # the key in TARGETS, the `platforms` key and the output folder name
    title: ClassVar[str]
    code_prefix: ClassVar[str]  # prefix of this target's diagnostic codes, e.g. "KSV"
    mapping: ClassVar[tuple[FieldMapping, ...]]  # rendered into docs/targets/<name>.md
    capabilities: ClassVar[Capabilities]  # checked by compiler/passes/capabilities.py, printed as docs

    def resolve(self, plan: Plan) -> Resolution: ...

    def emit(self, plan: Plan, stack: Stack) -> Emission: ...

    def check(self, documents: Sequence[Document], options: Options) -> tuple[Finding, ...]:
        """Validate emitted documents against what the user's platform accepts (e.g. --kserve-crd)."""
        ...

    def transition(self, before: Json, after: Json) -> tuple[str, ...]:
        """Why applying rendered file ``after`` over ``before`` cannot be done in one step on the platform, with
        the steps that can (said by `mlopsc diff`); empty when it can."""
        ...


def refuse(code: str, message: str, path: Path_, alternatives: Sequence[str] = (), hint: str = "") -> Finding:
    """A compile error for what the platform cannot do, naming what the user can do instead."""
    text = hint or ("alternatives: " + "; ".join(alternatives) if alternatives else "")
    return Finding(code, Severity.ERROR, message, path, text)


def warn(code: str, message: str, path: Path_, hint: str = "") -> Finding:
    return Finding(code, Severity.WARNING, message, path, hint)


def resolved(target: str, field: str, value: Json, reason: str) -> Decision:
    """A component a target chose, recorded for `explain` like a decision rule's outcome."""
    return Decision(rule=target, field=field, value=value, reason=reason, kind="resolved")


def labels_for(plan: Plan) -> dict[str, str]:
    """The spec's labels plus the model's identity, valid as labels/tags on every platform."""
    spec = plan.spec
    out = dict(spec.metadata.labels)
    out["mlopsc-model"] = spec.metadata.name
    out["mlopsc-environment"] = plan.environment
    if spec.metadata.team:
        team = "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "-" for c in spec.metadata.team.lower())
        team = team[:63].strip("-_")  # a label value starts and ends with a letter or digit, ASCII only
        if team:
            out.setdefault("team", team)
    return out


def artifact_uri(plan: Plan, platform: str, previous: bool = False) -> tuple[str, Path_]:
    """The artifact location a platform reads: its mirror when the spec gives one, else `uri`."""
    if previous:
        assert plan.spec.rollout.previous is not None
        artifact = plan.spec.rollout.previous.artifact
        base: Path_ = ("rollout", "previous", "artifact")
    else:
        artifact = plan.spec.model.artifact  # type: ignore[assignment]
        base = ("model", "artifact")
    mirror = getattr(artifact.mirrors, platform)
    if mirror is not None:
        return mirror, (*base, "mirrors", platform)
    return artifact.uri, (*base, "uri")


def image_for(plan: Plan, platform: str, which: str) -> tuple[str | None, Path_]:
    """The serving (`which="serving"`) or retraining (`"retraining"`) image a platform pulls: its
    mirror when the spec gives one, else the image itself (None when the spec has none)."""
    spec = plan.spec
    if which == "serving":
        image, mirrors, base = spec.serving.image, spec.serving.image_mirrors, ("serving",)
        mirror_path: Path_ = ("serving", "image_mirrors", platform)
        image_path: Path_ = (*base, "image")
    else:
        if spec.retraining is None:
            return None, ("retraining",)
        pipeline = spec.retraining.pipeline
        image, mirrors = pipeline.image, pipeline.mirrors
        mirror_path = ("retraining", "pipeline", "mirrors", platform)
        image_path = ("retraining", "pipeline", "image")
    mirror = getattr(mirrors, platform)
    if mirror is not None:
        return mirror, mirror_path
    return image, image_path
