"""The platform-neutral registry entry of one model in one environment, and the stage it stands at.

`build(plan, ctx)` reads the environment's effective spec and its approvals into a frozen
`RegistryEntry`; every platform's registry resource is a translation of it (SageMaker: the model
package and its model card; Vertex AI: version aliases, labels and descriptions; Azure ML: the model's
`stage`, `properties` and `tags`; KServe: annotations on the InferenceService), and the rendered tree
carries it as `<env>/<model>/registry/registry.json` (valid against `registry.schema.json`) with the
human-readable `MODEL_CARD.md` (`modelcard.py`).

The stage (`stage_of`, the one function that decides it):

| stage | when |
|---|---|
| `archived` | the rollout was aborted: a previous version is deployed and the new one serves no traffic |
| `candidate` | level `experimental`; or a level the org policy gates (`approvals.levels`) and no approval counts |
| `staging` | level `staging`, approved when the org policy gates it |
| `production` | level `production`, with an approval that counts when the org policy gates it (the default) |

Which approvals count is `policies.approvals.evaluate` (APR001's rules: the environment, the artifact
digest, expiry, role and approver, not the owner); when the org policy requires signatures, an unsigned
record does not count (whether a signature verifies is APR002's check, an error that stops the compile).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Finding, Json, Plan

if TYPE_CHECKING:
    from mlopsc.policies.context import PolicyContext

SCHEMA_ID = "https://mlopsc.dev/schemas/model-registry-metadata.schema.json"
FOLDER = "registry"  # <env>/<model>/registry/: written and checked like a platform folder
ENTRY_FILE = "registry.json"
CARD_FILE = "MODEL_CARD.md"
INCOMPLETE = "REG001"


class Stage(StrEnum):
    CANDIDATE = "candidate"
    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class ApprovalRecord:
    by: str
    role: str
    at: str  # ISO 8601, UTC
    expires: str | None
    ticket: str | None
    digest: str
    signed: bool
    counts: bool  # evaluate() counts it for this environment (and it is signed when signatures are required)


@dataclass(frozen=True)
class Field_:
    name: str
    type: str


@dataclass(frozen=True)
class RegistryEntry:
    """What a registry says about one model version in one environment (see the module docstring)."""

    model_name: str
    version: str
    environment: str
    artifact_uri: str
    digest: str | None
    framework: str
    framework_version: str
    model_type: str
    inputs: tuple[Field_, ...]
    outputs: tuple[Field_, ...]
    git_commit: str | None
    dataset_snapshot_uri: str | None
    environment_lockfile_uri: str | None
    training_run: str | None
    owner: str
    team: str | None
    labels: tuple[tuple[str, str], ...]
    level: str
    risk: str
    stage: Stage
    stage_reason: str
    approvals: tuple[ApprovalRecord, ...]
    baseline_metric: str | None
    baseline_value: float | None
    intended_use: str | None
    limitations: str | None
    fairness: str | None
    replaces: str | None  # the version this rollout replaces

    @property
    def approved(self) -> bool:
        return any(a.counts for a in self.approvals)

    @property
    def description(self) -> str:
        """One line for a registry's description field: the intended use, else what the model is."""
        return self.intended_use or f"{self.model_type} model {self.model_name} {self.version} ({self.framework})"

    def to_json(self) -> Json:
        """The body of registry.json: the ModelRegistryMetadata standard's fields, then our extensions."""
        provenance: dict[str, Json] = {}
        for key, value in (
            ("git_commit", self.git_commit),
            ("dataset_snapshot_uri", self.dataset_snapshot_uri),
            ("environment_lockfile_uri", self.environment_lockfile_uri),
            ("training_run", self.training_run),
        ):
            if value is not None:
                provenance[key] = value
        card: dict[str, Json] = {}
        for key, text in (
            ("intended_use", self.intended_use),
            ("limitations", self.limitations),
            ("fairness", self.fairness),
        ):
            if text is not None:
                card[key] = text
        body: dict[str, Json] = {
            "$schema": SCHEMA_ID,
            "model_name": self.model_name,
            "version": self.version,
            "artifact_uri": self.artifact_uri,
            "framework": {"name": self.framework, "version": self.framework_version},
            "signature": {
                "inputs": [{"name": f.name, "type": f.type} for f in self.inputs],
                "outputs": [{"name": f.name, "type": f.type} for f in self.outputs],
            },
            "provenance": provenance,
            "environment": self.environment,
            "digest": self.digest,
            "model_type": self.model_type,
            "owner": self.owner,
            "team": self.team,
            "labels": dict(self.labels),
            "governance": {"level": self.level, "risk": self.risk},
            "stage": self.stage.value,
            "stage_reason": self.stage_reason,
            "approvals": [
                {
                    "by": a.by,
                    "role": a.role,
                    "at": a.at,
                    "expires": a.expires,
                    "ticket": a.ticket,
                    "digest": a.digest,
                    "signed": a.signed,
                    "counts": a.counts,
                }
                for a in self.approvals
            ],
            "evaluation_baseline": (
                {"metric": self.baseline_metric, "value": self.baseline_value}
                if self.baseline_metric is not None
                else None
            ),
            "model_card": card,
            "replaces": self.replaces,
        }
        return body


def counted(plan: Plan, ctx: PolicyContext) -> tuple[int, ...]:
    """Indexes of `governance.approvals` that count for this environment (policies.approvals.evaluate)."""
    from mlopsc.policies.approvals import evaluate

    valid, _ = evaluate(plan, ctx)
    if ctx.policy.approvals.require_signatures:
        valid = [i for i in valid if plan.spec.governance.approvals[i].signature]
    return tuple(valid)


def stage_of(plan: Plan, ctx: PolicyContext) -> tuple[Stage, str]:
    """The stage of the environment's new version, and why (the table of the module docstring)."""
    from mlopsc.policies.approvals import needs_approval

    rollout = plan.derived.rollout
    if rollout.previous is not None and not rollout.new.serving:
        return Stage.ARCHIVED, (
            f"the rollout was aborted: {rollout.new.version} serves no traffic, {rollout.previous.version} does"
        )
    level = plan.spec.governance.level.value
    if level == "experimental":
        return Stage.CANDIDATE, "level experimental"
    if needs_approval(plan, ctx) and not counted(plan, ctx):
        return Stage.CANDIDATE, f"level {level} needs an approval of this artifact (org policy approvals.levels)"
    if level == "staging":
        return Stage.STAGING, "level staging" + (", approved" if needs_approval(plan, ctx) else "")
    return Stage.PRODUCTION, "level production" + (", approved" if needs_approval(plan, ctx) else "")


def build(plan: Plan, ctx: PolicyContext) -> tuple[RegistryEntry, tuple[Finding, ...]]:
    """The entry of this environment, and a warning per field the standard requires that the spec lacks."""
    spec = plan.spec
    model = spec.model
    stage, reason = stage_of(plan, ctx)
    valid = set(counted(plan, ctx))
    approvals = tuple(
        ApprovalRecord(
            by=a.by,
            role=a.role,
            at=_iso(a.at),
            expires=_iso(a.expires) if a.expires is not None else None,
            ticket=a.ticket,
            digest=a.digest,
            signed=a.signature is not None,
            counts=i in valid,
        )
        for i, a in enumerate(spec.governance.approvals)
        if a.environment == plan.environment
    )
    quality = spec.monitoring.quality if spec.monitoring is not None else None
    card = spec.governance.model_card
    signature = model.signature
    entry = RegistryEntry(
        model_name=plan.model_name,
        version=model.version,
        environment=plan.environment,
        artifact_uri=model.artifact.uri,
        digest=model.artifact.digest,
        framework=model.framework.name.value,
        framework_version=model.framework.version,
        model_type=model.type.value,
        inputs=tuple(Field_(f.name, f.type.value) for f in signature.inputs) if signature else (),
        outputs=tuple(Field_(f.name, f.type.value) for f in signature.outputs) if signature else (),
        git_commit=model.provenance.git_commit,
        dataset_snapshot_uri=model.provenance.dataset_snapshot_uri,
        environment_lockfile_uri=model.provenance.environment_lockfile_uri,
        training_run=model.provenance.training_run,
        owner=spec.metadata.owner,
        team=spec.metadata.team,
        labels=tuple(sorted(spec.metadata.labels.items())),
        level=spec.governance.level.value,
        risk=spec.governance.risk.value,
        stage=stage,
        stage_reason=reason,
        approvals=approvals,
        baseline_metric=quality.metric if quality else None,
        baseline_value=quality.baseline if quality else None,
        intended_use=card.intended_use if card else None,
        limitations=card.limitations if card else None,
        fairness=card.fairness if card else None,
        replaces=plan.derived.rollout.replaces,
    )
    return entry, _incomplete(entry, Severity.NOTE)


def _incomplete(entry: RegistryEntry, severity: Severity) -> tuple[Finding, ...]:
    """A note: before production a model is often not traceable yet, and at production PRD009 already makes
    the missing provenance an error (by default)."""
    missing = [
        name
        for name, value in (("git_commit", entry.git_commit), ("dataset_snapshot_uri", entry.dataset_snapshot_uri))
        if value is None
    ]
    if not missing:
        return ()
    fields = " and ".join(f"`model.provenance.{m}`" for m in missing)
    return (
        Finding(
            INCOMPLETE,
            severity,
            f"the registry entry lacks {fields}, which the ModelRegistryMetadata standard requires: "
            f"{FOLDER}/{ENTRY_FILE} will not validate against it",
            ("model",),
            "add `model.provenance` with git_commit (the code) and dataset_snapshot_uri (the data)",
        ),
    )


def _iso(value: object) -> str:
    isoformat = getattr(value, "isoformat", None)
    text = str(isoformat()) if callable(isoformat) else str(value)
    return text.replace("+00:00", "Z")
