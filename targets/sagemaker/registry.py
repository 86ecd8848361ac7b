"""The registry entry on SageMaker (compiler/registry.py): a model package in the environment's model
package group and its model card.

`AWS::SageMaker::ModelPackage` (CloudFormation resource schema, as cfn-lint ships it: `ModelApprovalStatus`
Approved | Rejected | PendingManualApproval, `CustomerMetadataProperties` at most 50 keys of 1-128
characters and values of 1-256 characters of `[\\p{L}\\p{Z}\\p{N}_.:/=+-@]`; `ModelApprovalStatus` and
`CustomerMetadataProperties` are not create-only, so an approval updates the package in place).
The approval status follows the stage: production and staging are Approved (their gate passed), a
candidate waits (PendingManualApproval), an archived version is Rejected. SageMaker Pipelines and
EventBridge rules that deploy on `ModelPackageStateChange` to Approved read exactly this field
(docs.aws.amazon.com/sagemaker/latest/dg/model-registry-approve.html).

`AWS::SageMaker::ModelCard` (the same schema: `ModelCardName` `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`,
`ModelCardStatus` Draft | PendingReview | Approved | Archived, `Content` with `ModelOverview`,
`IntendedUses` (RiskRating High | Medium | Low | Unknown) and `AdditionalInformation`): the card's
text fields, the provenance and the stage; its `ModelOverview.ModelId` is the package's ARN.
"""

from __future__ import annotations

import re
from typing import Protocol

from mlopsc.compiler.ir import Json
from mlopsc.compiler.registry import ENTRY_FILE, FOLDER, RegistryEntry, Stage
from mlopsc.targets.sagemaker.naming import hashed_name

APPROVAL_STATUS = {
    Stage.PRODUCTION: "Approved",
    Stage.STAGING: "Approved",
    Stage.CANDIDATE: "PendingManualApproval",
    Stage.ARCHIVED: "Rejected",
}
_METADATA_VALUE = re.compile(r"^[\w .:/=+\-@]{1,256}$")
CONTENT_TYPES = ["application/json"]


class _Builder(Protocol):
    resources: dict[str, Json]
    outputs: dict[str, Json]

    @property
    def tags(self) -> list[Json]: ...

    def add(self, logical: str, type_: str, properties: dict[str, Json], depends: list[str] | None = None) -> None: ...


def card_status(entry: RegistryEntry) -> str:
    if entry.stage is Stage.ARCHIVED:
        return "Archived"
    if entry.approved or entry.stage is Stage.PRODUCTION:
        return "Approved"
    return "Draft" if entry.stage is Stage.CANDIDATE else "PendingReview"


def metadata(entry: RegistryEntry) -> dict[str, Json]:
    """CustomerMetadataProperties: the entry's identifying fields whose values SageMaker accepts."""
    pairs = {
        "mlopsc-stage": entry.stage.value,
        "mlopsc-environment": entry.environment,
        "mlopsc-registry-entry": f"{entry.environment}/{entry.model_name}/{FOLDER}/{ENTRY_FILE}",
        "owner": entry.owner,
        "governance-level": entry.level,
        "risk": entry.risk,
        "framework": f"{entry.framework} {entry.framework_version}",
        "artifact-digest": entry.digest,
        "git-commit": entry.git_commit,
        "dataset-snapshot-uri": entry.dataset_snapshot_uri,
        "environment-lockfile-uri": entry.environment_lockfile_uri,
        "training-run": entry.training_run,
    }
    return {k: v for k, v in sorted(pairs.items()) if v is not None and _METADATA_VALUE.match(v)}


def add_registry(builder: _Builder, entry: RegistryEntry, image: str, model_data_url: str) -> None:
    """Add the model package (in the group `ModelPackageGroup`) and its model card to the template."""
    group = f"{entry.model_name}-{entry.environment}"
    builder.add(
        "ModelPackage",
        "AWS::SageMaker::ModelPackage",
        {
            "ModelPackageGroupName": group,
            "ModelPackageDescription": _cut(f"{entry.model_name} {entry.version}: {entry.description}", 1024),
            "ModelApprovalStatus": APPROVAL_STATUS[entry.stage],
            "ApprovalDescription": _cut(entry.stage_reason, 1024),
            "CustomerMetadataProperties": metadata(entry),
            "InferenceSpecification": {
                "Containers": [{"Image": image, "ModelDataUrl": model_data_url}],
                "SupportedContentTypes": list(CONTENT_TYPES),
                "SupportedResponseMIMETypes": list(CONTENT_TYPES),
            },
            "Tags": builder.tags,
        },
        ["ModelPackageGroup"],
    )
    overview: dict[str, Json] = {
        "ModelName": entry.model_name,
        "ModelId": {"Ref": "ModelPackage"},
        "ModelDescription": _cut(entry.description, 1024),
        "ModelOwner": entry.owner,
        "ProblemType": entry.model_type,
        "AlgorithmType": f"{entry.framework} {entry.framework_version}",
        "ModelArtifact": [model_data_url],
        "InferenceEnvironment": {"ContainerImage": [image]},
    }
    uses: dict[str, Json] = {"RiskRating": entry.risk.capitalize()}
    if entry.intended_use:
        uses["IntendedUses"] = _cut(entry.intended_use, 2048)
    if entry.limitations:
        uses["FactorsAffectingModelEfficiency"] = _cut(entry.limitations, 2048)
    details: dict[str, Json] = {
        "stage": entry.stage.value,
        "environment": entry.environment,
        "version": entry.version,
    }
    for key, value in (
        ("artifact_digest", entry.digest),
        ("git_commit", entry.git_commit),
        ("dataset_snapshot_uri", entry.dataset_snapshot_uri),
        ("environment_lockfile_uri", entry.environment_lockfile_uri),
        ("training_run", entry.training_run),
        ("baseline_metric", entry.baseline_metric),
        ("baseline_value", None if entry.baseline_value is None else repr(entry.baseline_value)),
    ):
        if value is not None:
            details[key] = _cut(value, 1024)
    extra: dict[str, Json] = {"CustomDetails": details}
    if entry.fairness:
        extra["EthicalConsiderations"] = _cut(entry.fairness, 2048)
    if entry.limitations:
        extra["CaveatsAndRecommendations"] = _cut(entry.limitations, 2048)
    builder.add(
        "ModelCard",
        "AWS::SageMaker::ModelCard",
        {
            "ModelCardName": hashed_name(entry.model_name, entry.environment, {"version": entry.version}, "card"),
            "ModelCardStatus": card_status(entry),
            "Content": {"ModelOverview": overview, "IntendedUses": uses, "AdditionalInformation": extra},
            "Tags": builder.tags,
        },
    )
    builder.outputs["ModelPackageArn"] = {
        "Description": "Model package of this version",
        "Value": {"Ref": "ModelPackage"},
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
