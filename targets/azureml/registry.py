"""The registry entry on Azure ML's model asset (compiler/registry.py): `stage`, `properties` and `tags`.

azure-ai-ml's model schema (`azure/ai/ml/_schema/assets/model.py`, `ModelSchema`): `stage` is a string,
`tags` and `properties` are string maps; properties are immutable once the version is registered, tags
and stage can be updated (`az ml model update --set stage=...`). So what an approval changes (the stage,
whether it is approved) goes in `stage` and `tags`; what identifies the version (owner, provenance, the
registry entry's path, the card's text) in `properties`. A version is registered once (apply.sh), so the
script sets the stage and those tags on every run (`stage_update`): the model version's REST resource lets
`stage` and `tags` change after registration (Az.MachineLearningServices `Update-AzMLWorkspaceModelVersion`:
`-Stage`, `-Tag`; `az ml model update --set`).
"""

from __future__ import annotations

from mlopsc.compiler.ir import Json
from mlopsc.compiler.quoting import sh
from mlopsc.compiler.registry import ENTRY_FILE, FOLDER, RegistryEntry


def apply_entry(doc: dict[str, Json], properties: dict[str, Json], entry: RegistryEntry) -> None:
    doc["stage"] = entry.stage.value
    tags = doc.get("tags")
    assert isinstance(tags, dict)
    tags["mlopsc-stage"] = entry.stage.value
    tags["mlopsc-approved"] = "true" if entry.approved else "false"
    properties["owner"] = entry.owner
    properties["registry_entry"] = f"{entry.environment}/{entry.model_name}/{FOLDER}/{ENTRY_FILE}"
    if entry.dataset_snapshot_uri:
        properties["dataset_snapshot_uri"] = entry.dataset_snapshot_uri
    if entry.environment_lockfile_uri:
        properties["environment_lockfile_uri"] = entry.environment_lockfile_uri
    for key, text in (("intended_use", entry.intended_use), ("limitations", entry.limitations)):
        if text:
            properties[key] = text
    if entry.intended_use:
        doc["description"] = entry.intended_use


def stage_update(name: str, version: str, entry: RegistryEntry) -> list[str]:
    """apply.sh lines that move a registered version to the entry's stage (every value quoted)."""
    approved = "true" if entry.approved else "false"
    sets = (f"stage={entry.stage.value}", f"tags.mlopsc-stage={entry.stage.value}", f"tags.mlopsc-approved={approved}")
    return [
        "# #. The registry stage (compiler/registry.py): `stage` and tags of a registered version can change.",
        f"az ml model update --name {sh(name)} --version {sh(version)} "
        + " ".join(f"--set {sh(s)}" for s in sets)
        + ' "${AZ_ML[@]}" >/dev/null',
    ]
