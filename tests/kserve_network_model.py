"""A model of what KServe v0.20.0 builds around an InferenceService's predictor: the Services it
creates per deployment mode and whether a gRPC client reaches the runtime's gRPC port.

Each rule reproduces a KServe file (github.com/kserve/kserve at tag v0.20.0):
- Standard (raw) mode: one Service named `<isvc>-predictor` (`constants.PredictorServiceName`,
  pkg/constants/constants.go); its first port is port 80 -> the first container port, or -> 8080 when the
  container declares none; further ports keep their number; a port whose name contains `grpc` or `h2c` gets
  `appProtocol: kubernetes.io/h2c` (`createDefaultSvc`, `isGrpcPort`, `getAppProtocol` in
  pkg/controller/v1beta1/inferenceservice/reconcilers/service/service_reconciler.go). No Service named
  `<isvc>` exists (the raw ingress reconciler addresses the predictor Service: `createAddress` in
  reconcilers/ingress/kube_ingress_reconciler.go).
- Knative (serverless) mode: an ExternalName Service named `<isvc>` pointing at the Knative local gateway
  (`reconcileExternalService` in reconcilers/ingress/ingress_reconciler.go) plus the Knative Service
  `<isvc>-predictor`; Knative forwards HTTP/2 (gRPC) to the container only when its one port is named `h2c`.
- The port a runtime serves gRPC on is read from the ClusterServingRuntime itself (`--port=` of
  tensorflow_model_server, `--grpc-port=` of tritonserver, `MLSERVER_GRPC_PORT`), else the server's own
  default: kserve.ModelServer's DEFAULT_GRPC_PORT 8081 (python/kserve/kserve/constants/constants.py),
  TorchServe's grpc_inference_port 7070 (docs/samples/v1beta1/torchserve/v1/config.properties).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RUNTIMES = SHARED / "runtimes" / "kserve-v0.20.0"
RAW_MODES = {"Standard", "RawDeployment"}
SERVER_DEFAULT_GRPC = {"kserve-torchserve": 7070}
KSERVE_MODEL_SERVER_GRPC = 8081


@dataclass(frozen=True)
class ServicePort:
    name: str
    port: int
    target: int
    app_protocol: str | None


@dataclass(frozen=True)
class Service:
    name: str
    namespace: str
    kind: str  # "ClusterIP" (raw predictor), "ExternalName" (serverless entry), "Knative" (ksvc)
    ports: tuple[ServicePort, ...]


def mode_of(isvc: dict[str, Any]) -> str:
    annotations = isvc["metadata"].get("annotations") or {}
    mode = annotations.get("serving.kserve.io/deploymentMode", "Knative")
    return "raw" if mode in RAW_MODES else "serverless"


def predictor_container(isvc: dict[str, Any]) -> dict[str, Any]:
    predictor = isvc["spec"]["predictor"]
    if "containers" in predictor:
        return dict(predictor["containers"][0])
    for key in ("model", "tensorflow", "pytorch", "triton", "sklearn", "xgboost", "onnx", "huggingface"):
        if key in predictor:
            return dict(predictor[key])
    raise AssertionError(f"no predictor container in {isvc['metadata']['name']}")


def _is_grpc(name: str) -> bool:
    return "grpc" in name or "h2c" in name


def services(isvc: dict[str, Any]) -> list[Service]:
    """The Services KServe creates for this InferenceService's predictor."""
    name = isvc["metadata"]["name"]
    ns = isvc["metadata"].get("namespace", "default")
    ports = predictor_container(isvc).get("ports") or []
    if mode_of(isvc) == "raw":
        out: list[ServicePort] = []
        if ports:
            first = ports[0]
            out.append(
                ServicePort(
                    first.get("name", ""),
                    80,
                    first["containerPort"],
                    "kubernetes.io/h2c" if _is_grpc(first.get("name", "")) else None,
                )
            )
            for p in ports[1:]:
                grpc = _is_grpc(p.get("name", ""))
                out.append(
                    ServicePort(
                        p.get("name", ""), p["containerPort"], p["containerPort"], "kubernetes.io/h2c" if grpc else None
                    )
                )
        else:
            out.append(ServicePort(f"{name}-predictor", 80, 8080, None))
        return [Service(f"{name}-predictor", ns, "ClusterIP", tuple(out))]
    assert len(ports) <= 1, "Knative allows one container port"
    knative_ports = tuple(
        ServicePort(p.get("name", ""), 80, p["containerPort"], "kubernetes.io/h2c" if p.get("name") == "h2c" else None)
        for p in ports
    ) or (ServicePort("http1", 80, 8080, None),)
    return [
        Service(name, ns, "ExternalName", ()),
        Service(f"{name}-predictor", ns, "Knative", knative_ports),
    ]


def resolves(url: str, created: list[Service]) -> bool:
    """Whether an in-cluster URL `http://<svc>.<ns>.svc.cluster.local[:port]` names a Service that exists."""
    match = re.fullmatch(r"https?://([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local(?::\d+)?(/.*)?", url)
    if not match:
        return False
    return any(s.name == match.group(1) and s.namespace == match.group(2) for s in created)


@functools.cache
def runtime_specs() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(RUNTIMES.glob("kserve-*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[doc["metadata"]["name"]] = doc["spec"]
    return out


def runtime_grpc_port(runtime: str) -> int:
    """The port the runtime's server listens on for gRPC, read from the ClusterServingRuntime."""
    container = runtime_specs()[runtime]["containers"][0]
    args = [str(a) for a in (container.get("args") or [])]
    command = " ".join(str(c) for c in (container.get("command") or []))
    for arg in args:
        if arg.startswith("--grpc-port="):  # tritonserver
            return int(arg.split("=", 1)[1])
        if arg.startswith("--port=") and "tensorflow_model_server" in command:
            return int(arg.split("=", 1)[1])
    for env in container.get("env") or []:
        if env.get("name") == "MLSERVER_GRPC_PORT":
            return int(env["value"])
    return SERVER_DEFAULT_GRPC.get(runtime, KSERVE_MODEL_SERVER_GRPC)


def grpc_reaches(isvc: dict[str, Any], grpc_port: int) -> list[str]:
    """Problems that keep a gRPC client from reaching `grpc_port` of the predictor ([] = it reaches)."""
    created = services(isvc)
    predictor = created[-1]
    for port in predictor.ports:
        if port.app_protocol == "kubernetes.io/h2c" and port.target == grpc_port:
            return []
    return [
        f"{isvc['metadata']['name']}: no Service port speaks h2c to container port {grpc_port} "
        f"(ports: {[(p.name, p.port, p.target, p.app_protocol) for p in predictor.ports]})"
    ]
