"""Where each spec field of the registry entry lands on each platform: one table, printed by
`mlopsc explain` (with the environment's stage) and generated into docs/spec.md.

It describes what `targets/<platform>/registry.py` and `compiler/registry.py` write; tests/test_registry.py
reads each platform's stage back from the rendered files.
"""

from __future__ import annotations

from typing import NamedTuple

from mlopsc.compiler.ir import Json
from mlopsc.compiler.registry import RegistryEntry


class Row(NamedTuple):
    spec: str
    entry: str  # registry.json
    sagemaker: str
    vertex: str
    azureml: str
    kserve: str


PLATFORMS = ("sagemaker", "vertex", "azureml", "kserve")
ROWS: tuple[Row, ...] = (
    Row(
        "metadata.name",
        "model_name",
        "ModelPackage group `<name>-<env>`; ModelCard `ModelOverview.ModelName`",
        "Model `displayName`",
        "model `name`",
        "annotation `registry.mlopsc.io/entry` (path)",
    ),
    Row(
        "model.version",
        "version",
        "ModelCard `CustomDetails.version`; tag `mlopsc-version`",
        "version alias `v<x-y-z>`",
        "model `version`",
        "annotation `registry.mlopsc.io/model-version`",
    ),
    Row(
        "model.artifact.uri",
        "artifact_uri",
        "ModelPackage `InferenceSpecification.Containers[0].ModelDataUrl`; ModelCard `ModelArtifact`",
        "Model `artifactUri`",
        "model `path`",
        "`storageUri`",
    ),
    Row(
        "model.artifact.digest",
        "digest",
        "`CustomerMetadataProperties.artifact-digest`; ModelCard `CustomDetails.artifact_digest`",
        "Model `versionDescription`",
        "model `properties.artifact_digest`",
        "annotation `mlopsc.io/artifact-digest`",
    ),
    Row(
        "model.framework",
        "framework",
        "`CustomerMetadataProperties.framework`; ModelCard `AlgorithmType`",
        "(serving container)",
        "model `description`",
        "(runtime `modelFormat`)",
    ),
    Row("model.signature", "signature", "", "(drift feature types)", "", ""),
    Row(
        "model.provenance.*",
        "provenance",
        "`CustomerMetadataProperties` (git-commit, dataset-snapshot-uri, environment-lockfile-uri, training-run); "
        "ModelCard `CustomDetails`",
        "Model `versionDescription` (git commit)",
        "model `properties` (git_commit, dataset_snapshot_uri, environment_lockfile_uri, training_run)",
        "",
    ),
    Row(
        "metadata.owner",
        "owner",
        "`CustomerMetadataProperties.owner`; ModelCard `ModelOverview.ModelOwner`",
        "",
        "model `properties.owner`",
        "annotation `registry.mlopsc.io/owner`",
    ),
    Row(
        "governance.level + governance.approvals",
        "stage, approvals",
        "ModelPackage `ModelApprovalStatus` (Approved / PendingManualApproval / Rejected); ModelCard "
        "`ModelCardStatus`; `CustomerMetadataProperties.mlopsc-stage`",
        "version alias `<stage>`; labels `mlopsc-stage`, `mlopsc-level`, `mlopsc-approved`",
        "model `stage`; tags `mlopsc-stage`, `mlopsc-approved`",
        "annotations `registry.mlopsc.io/stage`, `registry.mlopsc.io/approved`",
    ),
    Row("governance.risk", "governance.risk", "ModelCard `IntendedUses.RiskRating`", "", "", ""),
    Row(
        "governance.model_card.intended_use",
        "model_card.intended_use",
        "ModelCard `IntendedUses.IntendedUses`; `ModelPackageDescription`",
        "Model `description`",
        "model `description`, `properties.intended_use`",
        "",
    ),
    Row(
        "governance.model_card.limitations",
        "model_card.limitations",
        "ModelCard `FactorsAffectingModelEfficiency`, `CaveatsAndRecommendations`",
        "",
        "model `properties.limitations`",
        "",
    ),
    Row("governance.model_card.fairness", "model_card.fairness", "ModelCard `EthicalConsiderations`", "", "", ""),
    Row(
        "monitoring.quality.metric, .baseline",
        "evaluation_baseline",
        "ModelCard `CustomDetails.baseline_metric`, `baseline_value`",
        "",
        "",
        "",
    ),
)


def markdown() -> str:
    """The table for docs/spec.md."""
    lines = [
        "## Where the registry entry lands\n\n",
        "Each environment renders `<env>/<model>/registry/registry.json` (valid against "
        "`compiler/registry.schema.json`, the ModelRegistryMetadata standard with mlopsc's extensions) and "
        "`MODEL_CARD.md` (the sections of Google's Model Cards). The stage (candidate, staging, production, "
        "archived) comes from the environment's governance level and the approvals that count "
        "(`compiler/registry.py`); `mlopsc approve` moves it. Each platform's registry carries the same entry:\n\n",
        "| spec field | registry.json | SageMaker | Vertex AI | Azure ML | KServe |\n|---|---|---|---|---|---|\n",
    ]
    for row in ROWS:
        cells = [f"`{row.spec}`", f"`{row.entry}`", *(getattr(row, p) or "-" for p in PLATFORMS)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")
    return "".join(lines)


def explain_lines(entry: RegistryEntry) -> list[str]:
    lines = [f"registry: stage {entry.stage.value} ({entry.stage_reason})"]
    for row in ROWS:
        where = "; ".join(f"{p}: {getattr(row, p)}" for p in PLATFORMS if getattr(row, p))
        lines.append(f"  {row.spec} -> registry.json {row.entry}" + (f"; {where}" if where else ""))
    return lines


def explain_json(entry: RegistryEntry) -> Json:
    return {
        "stage": entry.stage.value,
        "stage_reason": entry.stage_reason,
        "entry": entry.to_json(),
        "lands": [dict(row._asdict()) for row in ROWS],
    }
