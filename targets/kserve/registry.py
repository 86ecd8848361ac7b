"""The registry entry on KServe (compiler/registry.py): KServe has no model registry, so the
InferenceService carries annotations that point at the entry in the rendered tree and say its stage.

Annotation keys follow Kubernetes' rule (`prefix/name`, the name at most 63 characters of
`[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, kubernetes.io/docs/concepts/overview/working-with-objects/annotations/);
values are free strings. `metadata.annotations` of the InferenceService is ObjectMeta's, so the CRD accepts any.
"""

from __future__ import annotations

from mlopsc.compiler.ir import Json
from mlopsc.compiler.registry import ENTRY_FILE, FOLDER, RegistryEntry

PREFIX = "registry.mlopsc.io"


def entry_annotations(entry: RegistryEntry) -> dict[str, Json]:
    """`entry`: the registry.json path relative to the rendered tree (the GitOps repository's folder)."""
    return {
        f"{PREFIX}/entry": f"{entry.environment}/{entry.model_name}/{FOLDER}/{ENTRY_FILE}",
        f"{PREFIX}/stage": entry.stage.value,
        f"{PREFIX}/model-version": entry.version,
        f"{PREFIX}/owner": entry.owner,
        f"{PREFIX}/approved": "true" if entry.approved else "false",
    }
