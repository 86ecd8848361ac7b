"""A behaviour model of KServe v0.20.0's runtime selection, written from its Go code (not from mlopsc's).

Each rule cites the file of kserve/kserve at tag v0.20.0 it reproduces:

- Defaulting (pkg/apis/serving/v1beta1/inference_service_defaults.go, ``setPredictorModelDefaults``):
  the old framework fields (``predictor.sklearn``, ``.xgboost``, ``.tensorflow``, ``.pytorch``,
  ``.triton``, ``.onnx``, ``.huggingface``, ``.pmml``, ``.lightgbm``, ``.paddle``) become
  ``predictor.model`` with ``modelFormat: {name: <framework>}`` and no version; triton, onnx and
  huggingface get ``protocolVersion: v2`` when none is given. Skipped for ModelMesh
  (``serving.kserve.io/deploymentMode: ModelMesh``).
- ``ModelSpec.GetProtocol`` (pkg/apis/serving/v1beta1/predictor_model.go): ``v1`` when unset.
- ``RuntimeSupportsModel`` / ``getServingRuntimeSupportedModelFormatLabelSet`` (same file): the label
  ``mt:<name>[:<version>]`` of the model must be among the runtime's format labels; formats count only
  with ``autoSelect: true`` unless ``runtime`` is named.
- ``IsProtocolVersionSupported`` (pkg/apis/serving/v1alpha1/servingruntime_types.go): an empty list
  supports everything.
- ``GetSupportingRuntimes`` (predictor_model.go): not disabled, ``multiModel`` false, no ``workerSpec``
  (multi-node off), supports model and protocol; cluster runtimes sorted by ``GetProtocolVersionPriority``
  (the lowest of v1=1, v2=2, grpc-v1=3, grpc-v2=4, unknown=5) then name (all installed together: equal
  creation times), then by the format's ``priority``, highest first, a runtime with one before one without.
- A named runtime (pkg/controller/v1beta1/inferenceservice/components/predictor.go): must exist, be
  enabled, support the protocol and the model (all its formats count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

OLD_FRAMEWORKS = {
    "sklearn": ("sklearn", None),
    "tensorflow": ("tensorflow", None),
    "xgboost": ("xgboost", None),
    "pytorch": ("pytorch", None),
    "triton": ("triton", "v2"),
    "onnx": ("onnx", "v2"),
    "huggingface": ("huggingface", "v2"),
    "pmml": ("pmml", None),
    "lightgbm": ("lightgbm", None),
    "paddle": ("paddle", None),
}
PROTOCOL_INT = {"v1": 1, "v2": 2, "grpc-v1": 3, "grpc-v2": 4}


def installed_runtimes(folder: Path) -> list[dict[str, Any]]:
    """The ClusterServingRuntimes a default install creates: the resources of kustomization.yaml."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    return [yaml.safe_load((folder / name).read_text(encoding="utf-8")) for name in kustomization["resources"]]


def predictor_model(isvc: dict[str, Any]) -> dict[str, Any] | None:
    """``spec.predictor.model`` after KServe's defaulting; None for a custom-container predictor."""
    predictor = isvc.get("spec", {}).get("predictor", {}) or {}
    if predictor.get("model") is not None:
        return dict(predictor["model"])
    for field, (name, protocol) in OLD_FRAMEWORKS.items():
        if predictor.get(field) is not None:
            model = dict(predictor[field])
            model["modelFormat"] = {"name": name}
            if protocol is not None and model.get("protocolVersion") is None:
                model["protocolVersion"] = protocol
            return model
    return None


def _labels(runtime: dict[str, Any], named: bool) -> set[str]:
    labels: set[str] = set()
    for fmt in runtime.get("spec", {}).get("supportedModelFormats") or []:
        if named or fmt.get("autoSelect") is True:
            labels.add(f"mt:{fmt['name']}")
            if fmt.get("version") is not None:
                labels.add(f"mt:{fmt['name']}:{fmt['version']}")
    return labels


def _model_label(model: dict[str, Any]) -> str:
    fmt = model.get("modelFormat") or {}
    version = fmt.get("version")
    return f"mt:{fmt.get('name')}:{version}" if version is not None else f"mt:{fmt.get('name')}"


def _protocol_ok(runtime: dict[str, Any], protocol: str) -> bool:
    versions = runtime.get("spec", {}).get("protocolVersions") or []
    return not versions or protocol in versions


def _priority(runtime: dict[str, Any], name: str) -> int | None:
    for fmt in runtime.get("spec", {}).get("supportedModelFormats") or []:
        if fmt.get("name") == name:
            value = fmt.get("priority")
            return value if isinstance(value, int) else None
    return None


def selected_runtime(isvc: dict[str, Any], runtimes: list[dict[str, Any]]) -> str | None:
    """The runtime KServe v0.20.0 gives the InferenceService's predictor, or None ("No runtime found")."""
    model = predictor_model(isvc)
    if model is None:
        return None
    protocol = model.get("protocolVersion") or "v1"
    label = _model_label(model)
    named = model.get("runtime")
    if named is not None:
        runtime = next((r for r in runtimes if r["metadata"]["name"] == named), None)
        if runtime is None or runtime.get("spec", {}).get("disabled") is True:
            return None
        if not _protocol_ok(runtime, protocol) or label not in _labels(runtime, named=True):
            return None
        return str(named)
    candidates = [
        r
        for r in runtimes
        if r.get("spec", {}).get("disabled") is not True
        and r.get("spec", {}).get("multiModel") is not True
        and r.get("spec", {}).get("workerSpec") is None
        and label in _labels(r, named=False)
        and _protocol_ok(r, protocol)
    ]

    def protocol_priority(runtime: dict[str, Any]) -> int:
        versions = runtime.get("spec", {}).get("protocolVersions") or []
        return min((PROTOCOL_INT.get(v, 5) for v in versions), default=5)

    candidates.sort(key=lambda r: (protocol_priority(r), r["metadata"]["name"]))
    name = (model.get("modelFormat") or {}).get("name")
    candidates.sort(key=lambda r: (_priority(r, name) is None, -(_priority(r, name) or 0)))
    return str(candidates[0]["metadata"]["name"]) if candidates else None


def is_modelmesh(isvc: dict[str, Any]) -> bool:
    annotations = isvc.get("metadata", {}).get("annotations") or {}
    return annotations.get("serving.kserve.io/deploymentMode") == "ModelMesh"
