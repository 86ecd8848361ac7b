"""The registry entry on Vertex AI's Model (compiler/registry.py): the stage as a version alias and a label,
the owner, level and approval as labels, the model card where the Model resource has fields for it.

Vertex AI Model Registry (https://cloud.google.com/vertex-ai/docs/model-registry/model-alias): an alias is a
mutable name of one version, unique within the model (`[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]`, `default` reserved);
applying an alias another version holds removes it from that version ("Some considerations for using
aliases" on that page), while `models.upload` rejects an alias another version holds (REST
`Model.versionAliases`), so the stage alias is never uploaded: apply.sh's stage step moves it. The stage
names (`candidate`, `staging`, `production`, `archived`) are aliases, so `models/<id>@production` is the
version that stage serves. apply.sh uploads a version once; its `stage` step (STAGE_STEP below) moves the
stage alias of a version uploaded earlier with `models.mergeVersionAliases`
(https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/mergeVersionAliases:
the name needs the version id; an alias written `-name` is removed).
Labels (https://cloud.google.com/vertex-ai/docs/general/resource-labels): keys and values of lowercase
letters, digits, `_` and `-`, at most 63 characters, keys start with a letter.
REST `Model` (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models): `description`
(the model card's intended use, else what the model is) and `versionDescription` (provenance, set by bodies.py).
"""

from __future__ import annotations

import re

from mlopsc.compiler.ir import Json
from mlopsc.compiler.registry import RegistryEntry


def label_value(text: str) -> str:
    """Text as a label value: lowercase, other characters as `-`, at most 63 characters."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")[:63]


def apply_entry(body: dict[str, Json], entry: RegistryEntry) -> None:
    # The stage alias is not uploaded with the version: `models.upload` rejects an alias another version
    # holds (REST `Model.versionAliases`), so apply.sh's stage step moves it with mergeVersionAliases.
    labels = body.get("labels")
    assert isinstance(labels, dict)
    labels["mlopsc-stage"] = entry.stage.value
    labels["mlopsc-level"] = entry.level
    labels["mlopsc-approved"] = "true" if entry.approved else "false"
    body["description"] = entry.description


STAGES = ("candidate", "staging", "production", "archived")

# apply.sh's step after the model upload: an already uploaded version takes its stage's alias
# (models.mergeVersionAliases: "-alias" removes one; the name needs the version id, read from models.get),
# and drops the other stage aliases it holds; a version uploaded by this run takes its stage alias here too.
_STEP = """# Registry stage (models.mergeVersionAliases): the version takes its stage's alias (Vertex AI moves it
#    from any other version) and drops its other stage aliases; nothing to do when it has exactly its own.
step_stage() {
  local version
  if ! call GET "$API/models/${MODEL_ID}@${ALIAS}"; then
    echo "error: model ${MODEL_ID}@${ALIAS} not found: its stage cannot be set" >&2
    exit 1
  fi
  version=$(jq -r '.versionId' "$RESPONSE")
  jq --arg stage "$STAGE" '(.versionAliases // []) as $has
    | {versionAliases: (([$stage] - $has)
        + ($has | map(select(IN(STAGE_NAMES) and . != $stage) | "-" + .)))}' "$RESPONSE" >"$REQUEST"
  if jq -e '.versionAliases == []' "$REQUEST" >/dev/null; then
    echo "model ${MODEL_ID}@${ALIAS}: stage ${STAGE}"
    return
  fi
  call POST "$API/models/${MODEL_ID}@${version}:mergeVersionAliases" "$REQUEST"
  echo "model ${MODEL_ID}@${ALIAS}: stage ${STAGE} (aliases merged)"
}
"""
STAGE_STEP = _STEP.replace("STAGE_NAMES", ", ".join(f'"{s}"' for s in STAGES))


def stage_readme(model_id: str, alias: str, stage: str) -> str:
    return (
        f"   Then `GET $API/models/{model_id}@{alias}` and, unless the version holds exactly its stage alias, "
        f"`POST $API/models/{model_id}@<versionId>:mergeVersionAliases` with the alias `{stage}` (moved from any "
        "other version) and the removal of its other stage aliases."
    )
