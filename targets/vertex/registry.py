"""The registry entry on Vertex AI's Model (compiler/registry.py): the stage as a version alias and a label,
the owner, level and approval as labels, the model card where the Model resource has fields for it.

Vertex AI Model Registry (https://cloud.google.com/vertex-ai/docs/model-registry/model-alias): an alias is a
mutable name of one version, unique within the model (`[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]`, `default` reserved);
applying an alias another version holds removes it from that version ("Some considerations for using
aliases" on that page), so uploading a new version with `production` moves the stage to it. The stage
names (`candidate`, `staging`, `production`, `archived`) are aliases, so `models/<id>@production` is the
version that stage serves. (The apply script uploads a version once; moving the stage alias of an already
uploaded version needs `models.mergeVersionAliases`, not done yet.)
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
    aliases = body.get("versionAliases")
    assert isinstance(aliases, list)
    aliases.append(entry.stage.value)
    labels = body.get("labels")
    assert isinstance(labels, dict)
    labels["mlopsc-stage"] = entry.stage.value
    labels["mlopsc-level"] = entry.level
    labels["mlopsc-approved"] = "true" if entry.approved else "false"
    body["description"] = entry.description
