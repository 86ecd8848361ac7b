"""A behaviour model of the predictor container KServe v0.20.0 builds from a ServingRuntime, written from its Go code.

Given an InferenceService (after selection by tests/behaviour/kserve_runtime.py), the runtime's first container as
the predictor pod runs it, each step citing kserve/kserve at v0.20.0:

- ``SetRuntimeDefaults`` (pkg/apis/serving/v1beta1/inference_service_defaults.go), by the runtime's
  ``serving.kserve.io/server-type`` annotation: torchserve (``SetTorchServeDefaults``) labels the InferenceService
  ``serviceEnvelope: kserve`` (``kservev2`` for v2 and grpc-v2) and appends the model env ``PROTOCOL_VERSION``;
  tritonserver adds ``--model-control-mode=explicit`` only without a storage URI.
- ``MergeServingRuntimeAndInferenceServiceSpecs`` (pkg/controller/v1beta1/inferenceservice/utils/utils.go): the
  model's env is merged over the runtime container's by name (a strategic merge patch keyed on ``name``).
- ``ReplacePlaceholders`` (utils.go): the container is marshalled to JSON and executed as a Go text/template over
  the InferenceService's ObjectMeta; a missing map key prints ``<no value>``.
- The image: the runtime's ``<name>:replace`` is set by config/runtimes/kustomization.yaml's ``images`` pins; the
  release's Helm chart renders ``kserve/*`` images at the release tag
  (charts/kserve-runtime-configs/files/runtimes/clusterservingruntimes-patch.yaml, ``tag | default
  .Values.kserve.version``), so a ``latest`` pin of a kserve image is ``v0.20.0``. ``UpdateImageTag`` (utils.go)
  appends ``-gpu`` for tensorflow-serving, torchserve and huggingfaceserver when the container asks for a GPU.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tests.behaviour.kserve_runtime import predictor_model, selected_runtime

RELEASE = "v0.20.0"


def _pins(folder: Path) -> dict[str, str]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    return {p["name"]: f"{p.get('newName', p['name'])}:{p.get('newTag', 'latest')}" for p in kustomization["images"]}


def _go_template(text: str, meta: dict[str, Any]) -> str:
    """text/template over ObjectMeta for the field forms KServe's runtimes use: {{.Name}}, {{.Labels.x}}..."""

    def field(match: re.Match[str]) -> str:
        path = match.group(1).split(".")
        value: Any = meta
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return "<no value>"
            value = value[part]
        return str(value)

    out = re.sub(r"\{\{\s*\.([A-Za-z][\w.]*)\s*\}\}", field, text)
    assert "{{" not in out, out
    return out


def predictor_container(
    isvc: dict[str, Any], runtimes: list[dict[str, Any]], folder: Path, gpu: bool = False
) -> tuple[str, dict[str, Any]]:
    """The runtime KServe selects for ``isvc`` and the ``kserve-container`` it runs (image, command, args, env)."""
    name = selected_runtime(isvc, runtimes)
    assert name is not None, "KServe would find no runtime"
    runtime = next(r for r in runtimes if r["metadata"]["name"] == name)
    model = predictor_model(isvc) or {}
    protocol = model.get("protocolVersion") or "v1"
    meta = {
        "Name": isvc["metadata"]["name"],
        "Namespace": isvc["metadata"].get("namespace", ""),
        "Labels": dict(isvc["metadata"].get("labels") or {}),
        "Annotations": dict(isvc["metadata"].get("annotations") or {}),
    }
    model_env = list(model.get("env") or [])
    server_type = (runtime["metadata"].get("annotations") or {}).get("serving.kserve.io/server-type")
    if server_type == "torchserve":
        meta["Labels"]["serviceEnvelope"] = "kservev2" if protocol in ("v2", "grpc-v2") else "kserve"
        model_env.append({"name": "PROTOCOL_VERSION", "value": protocol})
    container = dict(runtime["spec"]["containers"][0])
    names = {e["name"] for e in model_env}
    env = [e for e in container.get("env") or [] if e["name"] not in names] + model_env
    if env:
        container["env"] = env
    container = json.loads(_go_template(json.dumps(container), meta))
    repo = container["image"].split(":")[0]
    image = _pins(folder).get(repo, container["image"])
    if image.startswith("kserve/") and image.endswith(":latest"):
        image = image[: -len("latest")] + RELEASE
    if gpu and server_type in ("tensorflow-serving", "torchserve", "huggingfaceserver"):
        image += "-gpu"
    container["image"] = image
    return name, container
