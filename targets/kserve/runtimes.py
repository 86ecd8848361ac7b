"""KServe v0.20 ClusterServingRuntimes: which runtime serves a framework, and with which protocols.

From KServe's `config/runtimes/` at v0.20.0 (kserve-*.yaml): each runtime's supportedModelFormats
and protocolVersions. The predictor names the model format; KServe picks the runtime, so this
table only decides the protocolVersion to ask for and tells `explain` which runtime will serve.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Runtime:
    name: str
    model_format: str
    rest: str | None  # protocolVersion for REST, None when the runtime has no REST protocol
    grpc: str | None


RUNTIMES: dict[str, Runtime] = {
    "sklearn": Runtime("kserve-sklearnserver", "sklearn", "v2", "grpc-v2"),
    "xgboost": Runtime("kserve-xgbserver", "xgboost", "v2", "grpc-v2"),
    "lightgbm": Runtime("kserve-lgbserver", "lightgbm", "v2", "grpc-v2"),
    "tensorflow": Runtime("kserve-tensorflow-serving", "tensorflow", "v1", "grpc-v1"),
    "pytorch": Runtime("kserve-torchserve", "pytorch", "v1", "grpc-v2"),
    "onnx": Runtime("kserve-tritonserver", "onnx", "v2", "grpc-v2"),
    "huggingface": Runtime("kserve-huggingfaceserver", "huggingface", "v2", None),
}
