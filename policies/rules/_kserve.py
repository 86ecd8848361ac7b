"""Where containers are in a KServe InferenceService (v1beta1): predictor, transformer and explainer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mlopsc.compiler.ir import RenderedFile
from mlopsc.compiler.source import Path_

COMPONENTS = ("predictor", "transformer", "explainer")
# Framework shorthands of the predictor (`predictor.sklearn: {...}`) are containers too.
PREDICTOR_FRAMEWORKS = (
    "model",
    "sklearn",
    "xgboost",
    "lightgbm",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "huggingface",
    "pmml",
    "paddle",
)


def is_inference_service(file: RenderedFile) -> bool:
    body = file.body
    return (
        isinstance(body, dict)
        and body.get("kind") == "InferenceService"
        and str(body.get("apiVersion", "")).startswith("serving.kserve.io/")
    )


def components(body: Mapping[str, object]) -> Iterator[tuple[Path_, Mapping[str, object]]]:
    spec = body.get("spec")
    if not isinstance(spec, Mapping):
        return
    for name in COMPONENTS:
        component = spec.get(name)
        if isinstance(component, Mapping):
            yield ("spec", name), component


def containers(body: Mapping[str, object]) -> Iterator[tuple[Path_, Mapping[str, object]]]:
    """Every container-shaped node with its path."""
    for path, component in components(body):
        for key in PREDICTOR_FRAMEWORKS:
            node = component.get(key)
            if isinstance(node, Mapping):
                yield (*path, key), node
        listed = component.get("containers")
        if isinstance(listed, list):
            for i, node in enumerate(listed):
                if isinstance(node, Mapping):
                    yield (*path, "containers", i), node
