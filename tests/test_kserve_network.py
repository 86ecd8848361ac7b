"""The KServe network behaviour model (tests/kserve_network_model.py) over KServe's own samples, the goldens
and a generated matrix: gRPC reaches the runtime's gRPC port, and the batch job of a hybrid deployment calls a
Service that exists in the deployment mode."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.golden_cases import cases, render
from tests.kserve_network_model import (
    RUNTIMES,
    SHARED,
    grpc_reaches,
    predictor_container,
    resolves,
    runtime_grpc_port,
    services,
)
from tests.kserve_specs import Combo, combos, compile_text, spec_text

SAMPLES = SHARED / "samples" / "kserve-v0.20.0"
needs_shared = pytest.mark.skipif(
    not (RUNTIMES.is_dir() and SAMPLES.is_dir()),
    reason=f"../shared (KServe v0.20.0 runtimes, samples) absent: {SHARED}",
)

# KServe's gRPC samples and the runtime each one's predictor key selects.
GRPC_SAMPLES = {
    "v1beta1_tensorflow_grpc.yaml": "kserve-tensorflow-serving",
    "v1beta1_torchserve_v1_grpc.yaml": "kserve-torchserve",
    "v1beta1_triton_torchscript_torchscript_grpc.yaml": "kserve-tritonserver",
    "v1beta1_triton_torchscript_torch_grpc_transformer.yaml": "kserve-tritonserver",
}


def _isvcs(path: Path) -> list[dict[str, Any]]:
    return [
        d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d and d.get("kind") == "InferenceService"
    ]


# --- the model, tested on KServe's own samples -----------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("sample", sorted(GRPC_SAMPLES))
def test_model_reaches_grpc_in_kserve_samples(sample: str) -> None:
    (isvc,) = _isvcs(SAMPLES / sample)
    port = runtime_grpc_port(GRPC_SAMPLES[sample])
    for mode in ("Knative", "Standard"):
        isvc = copy.deepcopy(isvc)
        isvc["metadata"].setdefault("annotations", {})["serving.kserve.io/deploymentMode"] = mode
        assert grpc_reaches(isvc, port) == []
        # the test of the test: the same sample with its port not named h2c does not reach gRPC
        broken = copy.deepcopy(isvc)
        predictor = broken["spec"]["predictor"]
        key = next(k for k in predictor if isinstance(predictor[k], dict) and "ports" in predictor[k])
        predictor[key]["ports"][0]["name"] = "http1"
        assert grpc_reaches(broken, port)


@needs_shared
def test_model_reads_grpc_ports_from_the_runtimes() -> None:
    # tensorflow_model_server --port=9000, tritonserver --grpc-port=9000, MLSERVER_GRPC_PORT=9000,
    # TorchServe 7070, the KServe Python servers' DEFAULT_GRPC_PORT 8081
    assert runtime_grpc_port("kserve-tensorflow-serving") == 9000
    assert runtime_grpc_port("kserve-tritonserver") == 9000
    assert runtime_grpc_port("kserve-mlserver") == 9000
    assert runtime_grpc_port("kserve-torchserve") == 7070
    assert runtime_grpc_port("kserve-sklearnserver") == 8081


@needs_shared
def test_custom_grpc_sample_reaches_8081() -> None:
    isvc = next(
        d for d in _isvcs(SAMPLES / "v1beta1_custom_custom_model_custom.yaml") if "grpc" in d["metadata"]["name"]
    )
    assert grpc_reaches(isvc, 8081) == []


def test_model_service_names_per_mode() -> None:
    isvc = {
        "metadata": {"name": "m", "namespace": "ns", "annotations": {"serving.kserve.io/deploymentMode": "Standard"}},
        "spec": {"predictor": {"model": {"modelFormat": {"name": "sklearn"}}}},
    }
    assert [s.name for s in services(isvc)] == ["m-predictor"]
    assert not resolves("http://m.ns.svc.cluster.local", services(isvc))
    assert resolves("http://m-predictor.ns.svc.cluster.local", services(isvc))
    isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] = "Knative"
    assert resolves("http://m.ns.svc.cluster.local", services(isvc))


# --- what mlopsc renders ---------------------------------------------------------------------------------------


def _grpc_port_for(compiled_stacks: list[Any]) -> int:
    runtime = compiled_stacks[0].components.get("runtime")
    return runtime_grpc_port(runtime) if runtime else 8081


RUNTIME_REFUSALS = {"KSV001", "KSV002"}  # no runtime for the format / the protocol
MATRIX = combos()


@needs_shared
@pytest.mark.parametrize("combo", [c for c in MATRIX if c.protocol == "grpc"], ids=lambda c: c.id)
def test_rendered_grpc_predictor_reaches_the_runtime_grpc_port(combo: Combo) -> None:
    result = compile_text(spec_text(combo))
    if result.errors():  # a cell KServe's runtimes do not serve: the refusal is the runtime one, nothing else
        assert {d.code for d in result.errors()} <= RUNTIME_REFUSALS, result.errors()
        return
    isvc = result.body("inferenceservice.yaml")
    assert grpc_reaches(isvc, _grpc_port_for(result.stacks)) == []


@pytest.mark.parametrize("combo", [c for c in MATRIX if c.protocol == "rest"], ids=lambda c: c.id)
def test_rendered_rest_predictor_declares_no_grpc_port(combo: Combo) -> None:
    result = compile_text(spec_text(combo))
    if result.errors():  # a cell KServe's runtimes do not serve: the refusal is the runtime one, nothing else
        assert {d.code for d in result.errors()} <= RUNTIME_REFUSALS, result.errors()
        return
    assert "ports" not in predictor_container(result.body("inferenceservice.yaml"))


@pytest.mark.parametrize("combo", [c for c in MATRIX if c.serving == "hybrid"], ids=lambda c: c.id)
def test_hybrid_batch_calls_a_service_that_exists(combo: Combo) -> None:
    result = compile_text(spec_text(combo))
    if result.errors():  # a cell KServe's runtimes do not serve: the refusal is the runtime one, nothing else
        assert {d.code for d in result.errors()} <= RUNTIME_REFUSALS, result.errors()
        return
    isvc = result.body("inferenceservice.yaml")
    job = result.body("cronjob-batch.yaml")
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    url = next(e["value"] for e in container["env"] if e["name"] == "PREDICT_URL")
    assert resolves(url, services(isvc)), f"{url} names no Service KServe creates in {combo.mode} mode"


@needs_shared
@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_goldens_pass_the_network_model(case: Any) -> None:
    _tree, files = render(case)
    by_folder: dict[str, dict[str, Any]] = {}
    for f in files:
        if f.platform == "kserve" and isinstance(f.body, dict):
            by_folder.setdefault(f.path.rsplit("/", 1)[0], {})[f.path.rsplit("/", 1)[1]] = f.body
    for folder, docs in by_folder.items():
        isvcs = [d for name, d in docs.items() if d.get("kind") == "InferenceService"]
        created = [s for isvc in isvcs for s in services(isvc)]
        for isvc in isvcs:
            model = isvc["spec"]["predictor"].get("model") or {}
            if str(model.get("protocolVersion", "")).startswith("grpc"):
                assert any(p.get("name") == "h2c" for p in model.get("ports", [])), folder
        job = docs.get("cronjob-batch.yaml")
        if job and isvcs:
            env = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"]
            url = next((e["value"] for e in env if e["name"] == "PREDICT_URL"), None)
            if url is not None:
                assert resolves(url, created), f"{folder}: {url}"
