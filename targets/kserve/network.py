"""Where a KServe predictor listens and which in-cluster host reaches it, per deployment mode.

gRPC port naming. KServe exposes a container port as gRPC only when its name contains `h2c` or `grpc`
(`isGrpcPort`/`getAppProtocol` in `pkg/controller/v1beta1/inferenceservice/reconcilers/service/
service_reconciler.go` at v0.20.0, which gives the Service port `appProtocol: kubernetes.io/h2c`); Knative
(serverless mode) speaks HTTP/2 to the container only when its single port is named `h2c`. So a predictor
asked for `protocolVersion: grpc-v1/grpc-v2` declares one port named `h2c` on the port its server listens on
for gRPC, as every gRPC sample of `docs/samples/v1beta1` at v0.20.0 does (`tensorflow/grpc.yaml` 9000,
`torchserve/v1/grpc.yaml` 7070, `triton/torchscript/torchscript_grpc.yaml` 9000, `custom/custom_model/
custom.yaml` 8081).

In-cluster host. Standard (raw) mode: the Service of the predictor is `<isvc>-predictor`
(`constants.PredictorServiceName` in `pkg/constants/constants.go`), port 80, and the InferenceService's
address is that Service's host (`createAddress` in `reconcilers/ingress/kube_ingress_reconciler.go`,
`getRawServiceHost` in `httproute_reconciler.go`). Knative (serverless) mode: KServe creates an ExternalName
Service named `<isvc>` that points at the Knative local gateway (`reconcileExternalService` in
`reconcilers/ingress/ingress_reconciler.go`), and the VirtualService routes its host to the predictor, so
`<isvc>.<namespace>.svc.cluster.local` answers; no Service of that name exists in raw mode.
"""

from __future__ import annotations

from mlopsc.compiler.ir import Json
from mlopsc.compiler.spec.vocabulary import DeploymentMode

# The gRPC port of each ClusterServingRuntime (../shared/runtimes/kserve-v0.20.0 and the servers they run).
GRPC_PORTS: dict[str, int] = {
    # `--port=9000` (tensorflow_model_server's gRPC port) in kserve-tensorflow-serving.yaml
    "kserve-tensorflow-serving": 9000,
    # `--grpc-port=9000` in kserve-tritonserver.yaml
    "kserve-tritonserver": 9000,
    # TorchServe's `grpc_inference_port`, 7070 (docs/samples/v1beta1/torchserve/v1/config.properties, grpc.yaml)
    "kserve-torchserve": 7070,
    # `MLSERVER_GRPC_PORT=9000` in kserve-mlserver.yaml
    "kserve-mlserver": 9000,
    # kserve.ModelServer's `--grpc_port` default, DEFAULT_GRPC_PORT = 8081
    # (python/kserve/kserve/constants/constants.py): the KServe Python servers
    "kserve-sklearnserver": 8081,
    "kserve-xgbserver": 8081,
    "kserve-lgbserver": 8081,
    "kserve-huggingfaceserver": 8081,
    "kserve-pmmlserver": 8081,
    "kserve-paddleserver": 8081,
}
# A custom container (`serving.image`): the KServe model server's default, as the custom gRPC sample uses.
CUSTOM_GRPC_PORT = 8081
H2C = "h2c"


def grpc_port(runtime: str | None) -> int:
    """The port a runtime's server answers gRPC on (a custom container: KServe's default 8081)."""
    if runtime is None:
        return CUSTOM_GRPC_PORT
    return GRPC_PORTS.get(runtime, CUSTOM_GRPC_PORT)


def grpc_ports(port: int) -> list[Json]:
    """The container `ports` that make KServe and Knative route gRPC (HTTP/2 cleartext) to `port`."""
    return [{"name": H2C, "containerPort": port, "protocol": "TCP"}]


def predictor_service(isvc: str, mode: DeploymentMode) -> str:
    """The Service name that answers for an InferenceService inside the cluster, per deployment mode."""
    return isvc if mode is DeploymentMode.SERVERLESS else f"{isvc}-predictor"


def cluster_url(isvc: str, namespace: str, mode: DeploymentMode) -> str:
    """The in-cluster URL (port 80) of the InferenceService's predictor in this deployment mode."""
    return f"http://{predictor_service(isvc, mode)}.{namespace}.svc.cluster.local"
