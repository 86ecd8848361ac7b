"""Batch scoring in a KServe runtime that cannot run a Python scorer itself: the runtime as a native sidecar.

TensorFlow Serving (no Python), Triton (no onnxruntime Python package, no kserve_storage), TorchServe and
huggingfaceserver serve a model but offer no model class a script could call. So the batch pod runs the SAME
container an InferenceService of the spec would run, fed the way KServe feeds it, and a generated stdlib client
(targets/kserve/batch_client.py) sends the input rows to it over 127.0.0.1. Every rule below is KServe v0.20.0's:

- The runtime is the one KServe selects for the spec's modelFormat over the REST protocol (choose.py), its
  container the ClusterServingRuntime's first container (config/runtimes/<runtime>.yaml, in the catalog
  runtimes.json: `details.container`), image pinned by config/runtimes/kustomization.yaml; a `kserve/*:latest`
  pin is the release's own tag, as the release's Helm chart renders it (charts/kserve-runtime-configs/files/
  runtimes/clusterservingruntimes-patch.yaml: `<image>:{{ tag | default .Values.kserve.version }}`, version
  v0.20.0; the storage initializer likewise, charts/kserve-resources/values.yaml `kserve.storage`).
- Placeholders: `ReplacePlaceholders` (pkg/controller/v1beta1/inferenceservice/utils/utils.go) executes the
  container, marshalled to JSON, as a Go text/template over the InferenceService's ObjectMeta: `{{.Name}}` is the
  name, `{{.Labels.x}}` a label, a missing label prints `<no value>` (text/template's default for a missing map
  key).
- Defaults by server type (`SetRuntimeDefaults`, pkg/apis/serving/v1beta1/inference_service_defaults.go):
  torchserve gets the label `serviceEnvelope` (`kserve` for v1, `kservev2` for v2/grpc-v2) and the env
  `PROTOCOL_VERSION` (`SetTorchServeDefaults`); triton adds `--model-control-mode=explicit` only without a storage
  URI (never here); mlserver is never a sidecar here (sklearn, xgboost and lightgbm run batch_scorer.py).
- The model's env and resources are merged over the runtime container's (`MergeServingRuntimeAndInferenceService
  Specs`); with a GPU, tensorflow-serving, torchserve and huggingfaceserver images get the `-gpu` tag suffix
  (`UpdateImageTag`, utils.go).
- The storage initializer (pkg/webhook/admission/pod/storage_initializer_injector.go, single storage URI):
  an init container `storage-initializer` (image `kserve/storage-initializer`, pkg/utils/storage.go
  `CreateInitContainerWithConfig`, resources of config/configmap/inferenceservice.yaml `storageInitializer`:
  requests 100m / 100Mi, limits 1 / 1Gi; terminationMessagePolicy FallbackToLogsOnError), args
  `[<storageUri>, /mnt/models]`, the emptyDir volume `kserve-provision-location` mounted at /mnt/models
  (`AddModelMount`: read-write in the init container, read-only in the server's, the default
  `storage-initializer-readonly` annotation).
- The server listens for HTTP on 8080 (`InferenceServiceDefaultHttpPort`, pkg/constants/constants.go: every
  runtime's args or defaults bind it). Ready: v1 `GET /v1/models/<name>`, v2 `GET /v2/models/<name>/ready` (the
  paths the InferenceService's readinessProbe uses, target.py `_isvc`). `<name>` is the InferenceService's name:
  huggingfaceserver and TensorFlow Serving take it from `--model_name={{.Name}}`; TorchServe's KServe wrapper
  serves the model its config.properties `model_snapshot` names and Triton the model repository's folder, which the
  layout mlopsc checks names `<model>` (KSERVE_LAYOUTS in refresh_runtimes.py), the same assumption the online
  readiness probe makes.

Credentials: KServe's webhook copies the storage credentials of the predictor's service account into the storage
initializer (`CreateSecretVolumeAndEnv`, storage_initializer_injector.go); a CronJob's pod gets no webhook, so the
storage initializer and the client read the bucket with the pod's own identity (the service account's workload
identity / IRSA) or the `serving.env` secret references, which every container of the batch pod receives.

The server is an init container with `restartPolicy: Always` (a Kubernetes native sidecar: beta and on by default
since 1.29, GA in 1.33; KServe v0.20.0 builds against the 1.34 API, go.mod `k8s.io/api => v0.34.5`), started after
the storage initializer has finished. It has a readinessProbe on the runtime's readiness path (the pod's Ready
condition) but no startupProbe: a sidecar whose startupProbe fails is restarted under its `restartPolicy: Always`
and holds the pod in its init phase for ever (a model that cannot load would hang the Job and, with
`concurrencyPolicy: Forbid`, every later run). The client instead waits for the same path for READY_TIMEOUT_S (the
spec's derived startup timeout) and exits non-zero when the runtime is not ready by then. When the client exits, the
kubelet stops the sidecar and the Job completes, or fails (the client exits non-zero on any server error, and the
Job's backoffLimit retries it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from mlopsc.compiler.ir import Json
from mlopsc.targets.runtimecatalog import RuntimeEntry

KSERVE_VERSION: Final = "v0.20.0"
STORAGE_INITIALIZER: Final = f"kserve/storage-initializer:{KSERVE_VERSION}"
# config/configmap/inferenceservice.yaml at v0.20.0, `storageInitializer`
STORAGE_INITIALIZER_RESOURCES: Final[Mapping[str, Mapping[str, str]]] = {
    "requests": {"cpu": "100m", "memory": "100Mi"},
    "limits": {"cpu": "1", "memory": "1Gi"},
}
MODEL_VOLUME: Final = "kserve-provision-location"  # constants.StorageInitializerVolumeName
MODEL_MOUNT: Final = "/mnt/models"  # constants.DefaultModelLocalMountPath
PVC_VOLUME: Final = "kserve-pvc-source"  # constants.PvcSourceMountName
HTTP_PORT: Final = 8080  # constants.InferenceServiceDefaultHttpPort
SERVER_CONTAINER: Final = "kserve-container"  # constants.InferenceServiceContainerName
GPU_SUFFIX_SERVERS: Final = ("tensorflow-serving", "torchserve", "huggingfaceserver")
_PLACEHOLDER: Final = re.compile(r"\{\{\s*\.(Name|Namespace|Labels\.(\w+)|Annotations\.(\w+))\s*\}\}")


@dataclass(frozen=True)
class BatchRuntime:
    """The runtime a batch pod runs as a sidecar, and the protocol its client speaks."""

    entry: RuntimeEntry
    protocol: str  # v1 or v2

    @staticmethod
    def find(framework: str, runtime: str, protocol: str) -> BatchRuntime:
        """The catalog entry of `runtime` for `framework` (the one choose.py selected during resolve)."""
        from mlopsc.targets import runtimecatalog

        entry = next(e for e in runtimecatalog.entries("kserve", framework) if e.runtime == runtime)
        return BatchRuntime(entry, protocol)

    @property
    def server_type(self) -> str:
        return str(self.entry.details.get("server_type", ""))

    def ready_path(self, name: str) -> str:
        return f"/v2/models/{name}/ready" if self.protocol == "v2" else f"/v1/models/{name}"


def release_image(image: str) -> str:
    """A `kserve/<server>:latest` pin is the release's own tag (the Helm chart's `tag | default kserve.version`)."""
    repo, _, tag = image.rpartition(":")
    return f"{repo}:{KSERVE_VERSION}" if repo.startswith("kserve/") and tag == "latest" else image


def substitute(value: str, name: str, namespace: str, labels: Mapping[str, str]) -> str:
    """KServe's `ReplacePlaceholders`: the Go template fields of the InferenceService's ObjectMeta."""

    def field(match: re.Match[str]) -> str:
        if match.group(1) == "Name":
            return name
        if match.group(1) == "Namespace":
            return namespace
        if match.group(2) is not None:
            return labels.get(match.group(2), "<no value>")
        return "<no value>"  # no annotation KServe's runtimes read is set by mlopsc

    out = _PLACEHOLDER.sub(field, value)
    if "{{" in out:
        raise ValueError(f"a runtime placeholder mlopsc cannot substitute: {value!r}")
    return out


def _sub_json(value: Json, name: str, namespace: str, labels: Mapping[str, str]) -> Json:
    if isinstance(value, str):
        return substitute(value, name, namespace, labels)
    if isinstance(value, list):
        return [_sub_json(v, name, namespace, labels) for v in value]
    if isinstance(value, dict):
        return {k: _sub_json(v, name, namespace, labels) for k, v in value.items()}
    return value


def _merge_env(base: list[Json], extra: list[Json]) -> list[Json]:
    """Env merged by name, the InferenceService's over the runtime's (a strategic merge on `name`)."""
    names = {e["name"] for e in extra if isinstance(e, dict)}
    return [e for e in base if isinstance(e, dict) and e.get("name") not in names] + list(extra)


def server_container(
    runtime: BatchRuntime,
    name: str,
    namespace: str,
    env: list[Json],
    resources: Json | None,
    gpu: bool,
    model_mount: Json,
) -> tuple[dict[str, Json], list[Json]]:
    """The runtime's container as a native sidecar, and the pod volumes it needs (besides the model volume)."""
    details = runtime.entry.details
    raw = details.get("container")
    assert isinstance(raw, dict), runtime.entry.runtime
    labels: dict[str, str] = {}
    model_env: list[Json] = list(env)
    if runtime.server_type == "torchserve":  # SetTorchServeDefaults
        labels["serviceEnvelope"] = "kservev2" if runtime.protocol in ("v2", "grpc-v2") else "kserve"
        model_env.append({"name": "PROTOCOL_VERSION", "value": runtime.protocol})
    template = _sub_json(raw, name, namespace, labels)
    assert isinstance(template, dict)
    image = release_image(runtime.entry.image)
    if gpu and runtime.server_type in GPU_SUFFIX_SERVERS and not image.endswith("-gpu"):
        image += "-gpu"
    container: dict[str, Json] = {"name": SERVER_CONTAINER, "image": image}
    for key in ("command", "args"):
        if key in template:
            container[key] = template[key]
    runtime_env = template.get("env")
    merged = _merge_env(runtime_env if isinstance(runtime_env, list) else [], model_env)
    if merged:
        container["env"] = merged
    container["ports"] = [{"containerPort": HTTP_PORT, "protocol": "TCP"}]
    container["restartPolicy"] = "Always"
    container["readinessProbe"] = {
        "httpGet": {"path": runtime.ready_path(name), "port": HTTP_PORT},
        "periodSeconds": 10,
        "timeoutSeconds": 5,
    }
    chosen = resources if resources is not None else template.get("resources")
    if chosen is not None:
        container["resources"] = chosen
    if "securityContext" in template:
        container["securityContext"] = template["securityContext"]
    own_mounts = template.get("volumeMounts")
    container["volumeMounts"] = [
        model_mount,
        *(own_mounts if isinstance(own_mounts, list) else []),
    ]
    volumes = template.get("volumes")
    return container, list(volumes) if isinstance(volumes, list) else []


def model_source(model_uri: str, env: list[Json]) -> tuple[list[Json], Json, Json]:
    """How the model reaches /mnt/models: (init containers, the pod volume, the server's mount).

    A `pvc://<claim>/<path>` URI is mounted, not downloaded: the claim as the volume `kserve-pvc-source`, `<path>`
    as the subPath, read-only in the server (storage_initializer_injector.go, the PvcURIPrefix branch; `ParsePvcURI`
    in pkg/utils/storage.go). Anything else: the storage initializer into the emptyDir."""
    if model_uri.startswith("pvc://"):
        claim, _, path = model_uri[len("pvc://") :].partition("/")
        mount: dict[str, Json] = {"name": PVC_VOLUME, "mountPath": MODEL_MOUNT, "readOnly": True}
        if path:
            mount["subPath"] = path
        return [], {"name": PVC_VOLUME, "persistentVolumeClaim": {"claimName": claim}}, mount
    return (
        [storage_initializer(model_uri, env)],
        {"name": MODEL_VOLUME, "emptyDir": {}},
        {"name": MODEL_VOLUME, "mountPath": MODEL_MOUNT, "readOnly": True},
    )


def storage_initializer(model_uri: str, env: list[Json]) -> dict[str, Json]:
    container: dict[str, Json] = {
        "name": "storage-initializer",
        "image": STORAGE_INITIALIZER,
        "args": [model_uri, MODEL_MOUNT],
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "resources": {k: dict(v) for k, v in STORAGE_INITIALIZER_RESOURCES.items()},
        "volumeMounts": [{"name": MODEL_VOLUME, "mountPath": MODEL_MOUNT}],
    }
    if env:
        container["env"] = list(env)
    return container
