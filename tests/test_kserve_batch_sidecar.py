"""Batch without `serving.batch.image` for frameworks whose KServe runtime has no Python model class (pytorch,
tensorflow, onnx, huggingface): the runtime runs as a native sidecar, a generated client sends the rows.

- The rendered CronJob validates (Kubernetes 1.33 schemas: initContainers[].restartPolicy) and its sidecar is the
  container KServe v0.20.0 runs for the same spec's InferenceService (tests/behaviour/kserve_pod.py), fed by the
  storage initializer as KServe feeds it.
- The rendered client runs for real against local fake runtimes on 127.0.0.1: a v1 server and a v2 (Open Inference
  Protocol) server that runs a real ONNX model with onnxruntime, as Triton would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.kserve_specs import Combo, compile_text, spec_text
from tests.test_kserve_batch_scorer import FAKES, _batch_spec
from tests.validators.rendered import KSERVE_RUNTIMES, _installed_runtimes, problems

SIDECAR_FRAMEWORKS = ("pytorch", "tensorflow", "onnx", "huggingface")


def _pod(result: Any) -> dict[str, Any]:
    job = result.body("cronjob-batch.yaml")
    pod: dict[str, Any] = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return pod


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env") or [] if "value" in e}


def _online_isvc(framework: str, mode: str) -> dict[str, Any]:
    """The InferenceService the same spec renders when it serves online over REST."""
    result = compile_text(spec_text(Combo(framework, "rest", mode, "online", monitoring=False)))
    assert not result.errors(), result.errors()
    return result.body("inferenceservice.yaml")


@pytest.mark.parametrize("mode", ["serverless", "raw"])
@pytest.mark.parametrize("serving", ["batch", "hybrid"])
@pytest.mark.parametrize("framework", SIDECAR_FRAMEWORKS)
def test_sidecar_is_the_container_kserve_runs_for_the_spec(framework: str, serving: str, mode: str) -> None:
    from tests.behaviour.kserve_pod import predictor_container

    text = _batch_spec(framework).replace("deployment_mode: serverless", f"deployment_mode: {mode}")
    if serving == "hybrid":
        text = text.replace("  mode: batch\n", "  mode: hybrid\n")
    result = compile_text(text)
    assert not result.errors(), [(d.code, d.message) for d in result.errors()]
    for f in result.files:
        assert problems(f) == [], f.path
    pod = _pod(result)
    storage, server = pod["initContainers"]
    (client,) = pod["containers"]
    isvc = result.body("inferenceservice.yaml") if serving == "hybrid" else _online_isvc(framework, mode)
    model = isvc["spec"]["predictor"]["model"]
    runtime, expected = predictor_container(isvc, _installed_runtimes(), KSERVE_RUNTIMES)
    # the sidecar is KServe's kserve-container for this spec: image, command, args and env as KServe renders them
    for key in ("name", "image", "command", "args", "securityContext"):
        assert server.get(key) == expected.get(key), key
    assert [e for e in server.get("env", []) if e["name"] in {x["name"] for x in expected.get("env", [])}] == (
        expected.get("env", [])
    )
    assert server["resources"] == model["resources"]  # the model's resources override the runtime's
    # a native sidecar, started after the storage initializer, ready when the runtime's readiness path answers
    assert server["restartPolicy"] == "Always"
    protocol = model["protocolVersion"]
    client_env = _env(client)
    assert client_env["PROTOCOL"] == protocol
    ready = "/v2/models/scorer/ready" if protocol == "v2" else "/v1/models/scorer"
    assert server["readinessProbe"]["httpGet"] == {"path": ready, "port": 8080}
    # no startupProbe: a sidecar failing it would restart for ever; the client waits and fails the Job instead
    assert "startupProbe" not in server
    assert int(client_env["READY_TIMEOUT_S"]) > 0
    assert client_env["RUNTIME_URL"] == "http://127.0.0.1:8080"
    assert {"containerPort": 8080, "protocol": "TCP"} in server["ports"]
    # the port the runtime serves HTTP on: its own flag where it has one, else KServe's default 8080
    flags = [a for a in expected.get("args", []) if a.startswith(("--rest_api_port=", "--http-port=", "--http_port="))]
    assert all(a.endswith("=8080") for a in flags)
    # KServe's storage initializer: the storage URI into the shared emptyDir at /mnt/models
    assert storage["image"] == "kserve/storage-initializer:v0.20.0"
    assert storage["args"] == [model["storageUri"], "/mnt/models"]
    volume = {"name": "kserve-provision-location", "mountPath": "/mnt/models"}
    assert storage["volumeMounts"] == [volume]
    assert {**volume, "readOnly": True} in server["volumeMounts"]
    assert {"name": "kserve-provision-location", "emptyDir": {}} in pod["volumes"]
    assert client["command"] == ["python", "/scorer/score.py"]
    assert client["image"] == "kserve/storage-initializer:v0.20.0"
    assert (
        runtime
        in {
            "pytorch": "kserve-torchserve",
            "tensorflow": "kserve-tensorflow-serving",
            "onnx": "kserve-tritonserver",
            "huggingface": "kserve-huggingfaceserver",
        }[framework]
    )


def test_gpu_image_and_torchserve_envelope_follow_kserve() -> None:
    from tests.behaviour.kserve_pod import predictor_container

    text = _batch_spec("pytorch").replace("{cpu: 1, memory_gb: 2}", "{cpu: 4, memory_gb: 16, gpu: 1}")
    result = compile_text(text)
    assert not result.errors(), result.errors()
    _, server = _pod(result)["initContainers"]
    assert server["image"] == "pytorch/torchserve-kfs:0.9.0-gpu"
    assert server["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert {"name": "TS_SERVICE_ENVELOPE", "value": "kserve"} in server["env"]
    isvc = compile_text(text.replace("  mode: batch\n", "  mode: hybrid\n")).body("inferenceservice.yaml")
    _, expected = predictor_container(isvc, _installed_runtimes(), KSERVE_RUNTIMES, gpu=True)
    assert server["image"] == expected["image"]


def test_no_runtime_for_the_version_is_ksv009_naming_why() -> None:
    result = compile_text(_batch_spec("tensorflow").replace('version: "2.15"', 'version: "3.1"'))
    (error,) = result.errors()
    assert error.code == "KSV009" and "no runtime to score `tensorflow` 3.1" in error.message


def test_batch_path_checks_the_artifact_layout_like_the_runtime() -> None:
    # Triton loads a model repository, not a single .onnx file (KSV011), in batch-only mode too
    result = compile_text(
        _batch_spec("onnx").replace("s3://acme-models/m/1.0.0/repository/", "s3://acme-models/m/1.0.0/model.onnx")
    )
    assert [d.code for d in result.errors()] == ["KSV011"]


def test_a_pvc_model_is_mounted_as_kserve_mounts_it() -> None:
    # pkg/webhook/admission/pod/storage_initializer_injector.go: no storage initializer for pvc://, the claim mounted
    # read-only at /mnt/models with the path as subPath (volume kserve-pvc-source)
    result = compile_text(_batch_spec("onnx").replace("s3://acme-models/m/1.0.0/repository/", "pvc://models/repo/v3"))
    assert not result.errors(), result.errors()
    for f in result.files:
        assert problems(f) == [], f.path
    pod = _pod(result)
    (server,) = pod["initContainers"]
    assert server["name"] == "kserve-container"
    assert {"name": "kserve-pvc-source", "mountPath": "/mnt/models", "subPath": "repo/v3", "readOnly": True} in (
        server["volumeMounts"]
    )
    assert {"name": "kserve-pvc-source", "persistentVolumeClaim": {"claimName": "models"}} in pod["volumes"]
    assert not any(v["name"] == "kserve-provision-location" for v in pod["volumes"])


def test_an_oci_model_is_refused_for_the_batch_pod() -> None:
    result = compile_text(_batch_spec("onnx").replace("s3://acme-models/m/1.0.0/repository/", "oci://ghcr.io/acme/m:1"))
    (error,) = result.errors()
    assert error.code == "KSV009" and "OCI" in error.message


def test_client_is_one_text_and_no_spec_value_is_code() -> None:
    first = compile_text(_batch_spec("onnx")).body("configmap-batch-scorer.yaml")["data"]
    other = _batch_spec("tensorflow").replace("name: scorer", "name: other-model").replace("{name: a,", "{name: zeta,")
    second = compile_text(other).body("configmap-batch-scorer.yaml")["data"]
    assert first == second  # type: ignore[comparison-overlap]
    script = first["score.py"]  # type: ignore[index]
    assert not any(value in script for value in ("acme", "scorer-", "zeta", "1.0.0", "other-model"))
    compile(script, "score.py", "exec")


# ------------------------------------------------------------------------------------- the client, run for real

Handler = Callable[[str, str, Any], tuple[int, Any]]


@contextmanager
def fake_runtime(handle: Handler) -> Iterator[tuple[str, list[tuple[str, str, Any]]]]:
    """A local HTTP server on 127.0.0.1 answering with `handle(method, path, body)`; yields its URL and the calls."""
    calls: list[tuple[str, str, Any]] = []

    class Server(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            calls.append((method, self.path, body))
            status, answer = handle(method, self.path, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()


def _inputs(tmp_path: Path) -> Path:
    s3 = tmp_path / "s3"
    data = s3 / "acme-data/in"
    (data / "nested").mkdir(parents=True)
    (data / "part-1.csv").write_text("a,b\n1,10\n2,20\n3,30\n", encoding="utf-8")
    (data / "nested/part-2.jsonl").write_text('{"b": 5, "a": 0.5}\n', encoding="utf-8")
    (data / "notes.txt").write_text("not data")
    return s3


def _run_client(
    result: Any, tmp_path: Path, url: str, batch_rows: str | None = None, ready_timeout: str | None = None
) -> subprocess.CompletedProcess[str]:
    pod = _pod(result)
    (client,) = pod["containers"]
    scorer = result.body("configmap-batch-scorer.yaml")
    assert pod["volumes"][0] == {"name": "scorer", "configMap": {"name": scorer["metadata"]["name"]}}
    script = tmp_path / "scorer" / "score.py"
    script.parent.mkdir()
    script.write_text(scorer["data"]["score.py"], encoding="utf-8")
    fakes = tmp_path / "fakes"
    for rel, text in FAKES.items():
        (fakes / rel).parent.mkdir(parents=True, exist_ok=True)
        (fakes / rel).write_text(text, encoding="utf-8")
    env = _env(client)
    env.update(RUNTIME_URL=url, FAKE_S3=str(tmp_path / "s3"), PYTHONPATH=str(fakes), PATH=os.environ.get("PATH", ""))
    if batch_rows:
        env["BATCH_ROWS"] = batch_rows
    if ready_timeout:
        env["READY_TIMEOUT_S"] = ready_timeout
    return subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False, cwd=tmp_path, timeout=60
    )


def _predictions(s3: Path) -> list[dict[str, Any]]:
    lines = (s3 / "acme-data/out/predictions-1.0.0.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_v1_client_scores_every_row_through_the_runtime(tmp_path: Path) -> None:
    result = compile_text(_batch_spec("tensorflow"))
    assert _env(_pod(result)["containers"][0])["PROTOCOL"] == "v1"
    s3 = _inputs(tmp_path)

    def tensorflow_serving(method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/v1/models/scorer":  # TensorFlow Serving's model status
            return 200, {"model_version_status": [{"version": "1", "state": "AVAILABLE"}]}
        if method == "POST" and path == "/v1/models/scorer:predict":
            return 200, {"predictions": [row[0] * 100 + row[1] for row in body["instances"]]}
        return 404, {"error": f"no route {path}"}

    with fake_runtime(tensorflow_serving) as (url, calls):
        run = _run_client(result, tmp_path, url, batch_rows="2")
    assert run.returncode == 0, run.stderr
    # signature order is [b, a]: row [b, a] scores b * 100 + a
    assert _predictions(s3) == [
        {"file": "nested/part-2.jsonl", "row": 0, "prediction": 500.5},
        {"file": "part-1.csv", "row": 0, "prediction": 1001.0},
        {"file": "part-1.csv", "row": 1, "prediction": 2002.0},
        {"file": "part-1.csv", "row": 2, "prediction": 3003.0},
    ]
    assert "scored 4 rows from 2 files" in run.stderr
    assert calls[0][:2] == ("GET", "/v1/models/scorer")  # ready first
    assert [len(body["instances"]) for m, _p, body in calls if m == "POST"] == [1, 2, 1]  # BATCH_ROWS per request


def _onnx_model(path: Path) -> Path:
    onnx = pytest.importorskip("onnx", reason="onnx is part of the test extras")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["Y"]),
            helper.make_node("ArgMax", ["X"], ["label"], axis=1, keepdims=0),
        ],
        "linear",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
        [
            helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1]),
            helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
        ],
        [helper.make_tensor("W", TensorProto.FLOAT, [2, 1], [1.0, 2.0])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _triton(model_path: Path, name: str) -> Handler:
    """The Open Inference Protocol as Triton serves it, over a real onnxruntime session."""
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is part of the test extras")
    import numpy as np

    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    types = {"tensor(float)": ("FP32", np.float32), "tensor(int64)": ("INT64", np.int64)}

    def describe(args: list[Any]) -> list[dict[str, Any]]:
        return [
            {"name": a.name, "datatype": types[a.type][0], "shape": [d if isinstance(d, int) else -1 for d in a.shape]}
            for a in args
        ]

    def handle(method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == f"/v2/models/{name}/ready":
            return 200, {}
        if method == "GET" and path == f"/v2/models/{name}":
            return 200, {
                "name": name,
                "versions": ["1"],
                "platform": "onnxruntime_onnx",
                "inputs": describe(session.get_inputs()),
                "outputs": describe(session.get_outputs()),
            }
        if method == "POST" and path == f"/v2/models/{name}/infer":
            feeds = {}
            for tensor in body["inputs"]:
                spec = next(i for i in session.get_inputs() if i.name == tensor["name"])
                if tensor["datatype"] != types[spec.type][0]:
                    return 400, {"error": f"datatype {tensor['datatype']} for {spec.name}"}
                feeds[spec.name] = np.array(tensor["data"], dtype=types[spec.type][1]).reshape(tensor["shape"])
            try:
                results = session.run(None, feeds)
            except Exception as exc:  # onnxruntime's own errors become Triton's 400
                return 400, {"error": str(exc)}
            outputs = [
                {"name": o.name, "datatype": types[o.type][0], "shape": list(r.shape), "data": r.flatten().tolist()}
                for o, r in zip(session.get_outputs(), results, strict=True)
            ]
            return 200, {"model_name": name, "model_version": "1", "outputs": outputs}
        return 404, {"error": f"no route {path}"}

    return handle


def test_v2_client_scores_with_a_real_onnx_model(tmp_path: Path) -> None:
    result = compile_text(_batch_spec("onnx"))
    assert _env(_pod(result)["containers"][0])["PROTOCOL"] == "v2"
    s3 = _inputs(tmp_path)
    handle = _triton(_onnx_model(tmp_path / "model.onnx"), "scorer")
    with fake_runtime(handle) as (url, calls):
        run = _run_client(result, tmp_path, url)
    assert run.returncode == 0, run.stderr
    # X = [b, a]; Y = b * 1 + a * 2, label = argmax(b, a)
    assert _predictions(s3) == [
        {"file": "nested/part-2.jsonl", "row": 0, "prediction": {"Y": [6.0], "label": 0}},
        {"file": "part-1.csv", "row": 0, "prediction": {"Y": [12.0], "label": 0}},
        {"file": "part-1.csv", "row": 1, "prediction": {"Y": [24.0], "label": 0}},
        {"file": "part-1.csv", "row": 2, "prediction": {"Y": [36.0], "label": 0}},
    ]
    infer = [body for method, _p, body in calls if method == "POST"]
    assert infer[-1]["inputs"][0] == {"name": "X", "datatype": "FP32", "shape": [3, 2], "data": [10, 1, 20, 2, 30, 3]}


def test_v2_client_without_declared_inputs_sends_text_as_bytes(tmp_path: Path) -> None:
    # huggingfaceserver declares no inputs in its metadata; a text column goes as one BYTES tensor
    result = compile_text(
        _batch_spec("huggingface").replace(
            "{name: b, type: double}, {name: a, type: double}", "{name: text, type: string}"
        )
    )
    assert not result.errors(), result.errors()
    s3 = tmp_path / "s3"
    (s3 / "acme-data/in").mkdir(parents=True)
    (s3 / "acme-data/in/reviews.jsonl").write_text('{"text": "great"}\n{"text": "1e3"}\n', encoding="utf-8")

    def huggingfaceserver(method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/v2/models/scorer/ready":
            return 200, {}
        if method == "GET" and path == "/v2/models/scorer":
            return 200, {"name": "scorer", "platform": "", "inputs": [], "outputs": []}
        if method == "POST" and path == "/v2/models/scorer/infer":
            (tensor,) = body["inputs"]
            labels = [len(text) for text in tensor["data"]]
            return 200, {"outputs": [{"name": "output-0", "datatype": "INT64", "shape": [len(labels)], "data": labels}]}
        return 404, {}

    with fake_runtime(huggingfaceserver) as (url, calls):
        run = _run_client(result, tmp_path, url)
    assert run.returncode == 0, run.stderr
    assert [p["prediction"] for p in _predictions(s3)] == [5, 3]
    assert calls[-1][2]["inputs"] == [{"name": "input-0", "datatype": "BYTES", "shape": [2], "data": ["great", "1e3"]}]


@pytest.mark.parametrize("framework", ["tensorflow", "onnx"])
def test_a_server_error_fails_the_job_and_uploads_nothing(framework: str, tmp_path: Path) -> None:
    result = compile_text(_batch_spec(framework))
    s3 = _inputs(tmp_path)

    def failing(method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET":
            return 200, {"name": "scorer", "inputs": [{"name": "X", "datatype": "FP32", "shape": [-1, 2]}]}
        return 500, {"error": "model crashed"}

    with fake_runtime(failing) as (url, _calls):
        run = _run_client(result, tmp_path, url)
    assert run.returncode != 0
    assert "batch scoring failed" in run.stderr and "HTTP 500" in run.stderr and "model crashed" in run.stderr
    assert not (s3 / "acme-data/out").exists()


def test_a_wrong_prediction_count_fails_the_job(tmp_path: Path) -> None:
    result = compile_text(_batch_spec("pytorch"))
    s3 = _inputs(tmp_path)
    with fake_runtime(lambda m, p, b: (200, {"predictions": [1]})) as (url, _calls):
        run = _run_client(result, tmp_path, url)
    assert run.returncode != 0 and "1 predictions for" in run.stderr
    assert not (s3 / "acme-data/out").exists()


def test_an_unreachable_runtime_fails_the_job(tmp_path: Path) -> None:
    result = compile_text(_batch_spec("tensorflow"))
    _inputs(tmp_path)
    with fake_runtime(lambda m, p, b: (200, {})) as (url, _calls):
        pass  # the server is gone: the port refuses connections
    run = _run_client(result, tmp_path, url, ready_timeout="1")
    assert run.returncode != 0 and "batch scoring failed: the runtime was not ready" in run.stderr


def test_v2_client_matches_several_model_inputs_to_columns(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx", reason="onnx is part of the test extras")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Sub", ["a", "b"], ["diff"])],
        "two-inputs",
        [
            helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, 1]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [None, 1]),
        ],
        [helper.make_tensor_value_info("diff", TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(tmp_path / "two.onnx"))
    result = compile_text(_batch_spec("onnx"))
    s3 = _inputs(tmp_path)
    with fake_runtime(_triton(tmp_path / "two.onnx", "scorer")) as (url, _calls):
        run = _run_client(result, tmp_path, url)
    assert run.returncode == 0, run.stderr
    assert [p["prediction"] for p in _predictions(s3)] == [[-4.5], [-9.0], [-18.0], [-27.0]]


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow", "onnx"])
def test_grpc_hybrid_batch_uses_the_same_runtime_over_rest(framework: str) -> None:
    # online speaks gRPC; the batch client speaks the REST protocol of the runtime KServe selects for the format
    text = (
        _batch_spec(framework)
        .replace("  mode: batch\n", "  mode: hybrid\n")
        .replace("protocol: rest", "protocol: grpc")
    )
    result = compile_text(text)
    assert not result.errors(), [(d.code, d.message) for d in result.errors()]
    for f in result.files:
        assert problems(f) == [], f.path
    online = result.body("inferenceservice.yaml")["spec"]["predictor"]["model"]  # type: ignore[index]
    assert online["protocolVersion"].startswith("grpc-")
    _, server = _pod(result)["initContainers"]
    rest = _online_isvc(framework, "serverless")
    from tests.behaviour.kserve_pod import predictor_container

    runtime, expected = predictor_container(rest, _installed_runtimes(), KSERVE_RUNTIMES)
    grpc_runtime, _ = predictor_container(result.body("inferenceservice.yaml"), _installed_runtimes(), KSERVE_RUNTIMES)
    assert runtime == grpc_runtime  # the same runtime serves both protocols
    assert server["args"] == expected.get("args") and server["image"] == expected["image"]
    assert _env(_pod(result)["containers"][0])["PROTOCOL"] == rest["spec"]["predictor"]["model"]["protocolVersion"]


def test_native_sidecar_needs_a_kubernetes_that_knows_init_container_restart_policy() -> None:
    # the test of the test: the strict schema validation really reads initContainers[].restartPolicy (Kubernetes
    # 1.28 added it; the suite validates at tests/validators/k8s.py K8S_VERSION), so a cluster older than that
    # would refuse the CronJob
    import kubernetes_validate  # type: ignore[import-untyped]

    from tests.validators.k8s import K8S_VERSION, validate_core

    job = compile_text(_batch_spec("onnx")).body("cronjob-batch.yaml")
    assert validate_core(job) == [] and tuple(int(p) for p in K8S_VERSION.split(".")[:2]) >= (1, 29)
    with pytest.raises(kubernetes_validate.ValidationError, match="'restartPolicy' was unexpected"):
        kubernetes_validate.validate(dict(job), "1.27.0", strict=True)


def _golden_sidecar_jobs() -> list[Path]:
    root = Path(__file__).resolve().parents[1] / "golden"
    return sorted(
        p for p in root.glob("*/expected/**/kserve/cronjob-batch.yaml") if "initContainers" in p.read_text("utf-8")
    )


@pytest.mark.parametrize("job_file", _golden_sidecar_jobs(), ids=lambda p: p.parts[-6])
def test_golden_sidecars_run_what_their_inferenceservice_runs(job_file: Path) -> None:
    import yaml

    from tests.behaviour.kserve_pod import predictor_container

    isvc_file = job_file.with_name("inferenceservice.yaml")
    assert isvc_file.exists(), "a batch-only golden: covered by test_sidecar_is_the_container_kserve_runs_for_the_spec"
    isvc = yaml.safe_load(isvc_file.read_text("utf-8"))
    pod = yaml.safe_load(job_file.read_text("utf-8"))["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    storage, server = pod["initContainers"]
    _, expected = predictor_container(isvc, _installed_runtimes(), KSERVE_RUNTIMES)
    for key in ("image", "command", "args", "securityContext"):
        assert server.get(key) == expected.get(key), key
    model = isvc["spec"]["predictor"]["model"]
    assert storage["args"] == [model["storageUri"], "/mnt/models"]
    assert _env(pod["containers"][0])["PROTOCOL"] == model["protocolVersion"]
    name = isvc["metadata"]["name"]
    ready = f"/v2/models/{name}/ready" if model["protocolVersion"] == "v2" else f"/v1/models/{name}"
    assert server["readinessProbe"]["httpGet"]["path"] == ready


def test_a_golden_covers_the_sidecar() -> None:
    assert _golden_sidecar_jobs(), "golden/kserve-hybrid-onnx renders a batch sidecar"


def test_client_waits_for_the_runtime_to_load_the_model(tmp_path: Path) -> None:
    result = compile_text(_batch_spec("onnx"))
    s3 = _inputs(tmp_path)
    triton = _triton(_onnx_model(tmp_path / "model.onnx"), "scorer")
    ready_calls: list[int] = []

    def loading(method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/v2/models/scorer/ready":
            ready_calls.append(1)
            return (503, {"error": "loading"}) if len(ready_calls) < 3 else (200, {})
        if len(ready_calls) < 3:
            return 503, {"error": "called before ready"}
        return triton(method, path, body)

    with fake_runtime(loading) as (url, calls):
        run = _run_client(result, tmp_path, url)
    assert run.returncode == 0, run.stderr
    assert len(ready_calls) == 3 and len(_predictions(s3)) == 4
    assert [p for _m, p, _b in calls[:3]] == ["/v2/models/scorer/ready"] * 3


def test_a_runtime_that_never_gets_ready_fails_the_job(tmp_path: Path) -> None:
    result = compile_text(_batch_spec("pytorch"))
    s3 = _inputs(tmp_path)
    with fake_runtime(lambda m, p, b: (503, {"error": "model failed to load"})) as (url, calls):
        run = _run_client(result, tmp_path, url, ready_timeout="2")
    assert run.returncode != 0
    assert "the runtime was not ready at" in run.stderr and "/v1/models/scorer within 2 s" in run.stderr
    assert all(method == "GET" for method, _p, _b in calls)  # nothing scored
    assert not (s3 / "acme-data/out").exists()


def test_kserve_runtimes_option_checks_the_batch_sidecar(
    tmp_path: Path, cli_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch-only spec renders no InferenceService: its sidecar is what --kserve-runtimes must check."""
    import re

    import yaml

    from tests.conftest import shared_path

    shared = shared_path("runtimes", "kserve-v0.20.0")
    installed = yaml.safe_load((shared / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    folder = tmp_path / "installed"  # a default install, as kustomize builds it (kserve-openvino is not in it)
    folder.mkdir()
    for name in installed:
        (folder / name).write_text((shared / name).read_text(encoding="utf-8"), encoding="utf-8")
    # the images as installed: kustomization's `images` pins, applied here as load() applies them to a folder
    pins = yaml.safe_load((shared / "kustomization.yaml").read_text(encoding="utf-8"))["images"]
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for pin in pins:
            text = re.sub(
                rf"image: {re.escape(pin['name'])}(:\S+)?\n", f"image: {pin['newName']}:{pin['newTag']}\n", text
            )
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlops.yaml").write_text(_batch_spec("onnx"), encoding="utf-8")
    result = cli_run(["compile", "mlops.yaml", "--out", "out", "--kserve-runtimes", str(folder)], expect=0)
    assert "KSV013" not in result.stderr and "KSV037" not in result.stderr
    # KServe's config/runtimes itself: read as kustomize builds it (resources only, images pinned)
    result = cli_run(["compile", "mlops.yaml", "--out", "out0", "--kserve-runtimes", str(shared)], expect=0)
    assert "KSV013" not in result.stderr and "KSV037" not in result.stderr, result.stderr
    # kserve-openvino (priority 2 for onnx) installed beside them: KServe selects it, not the rendered Triton
    every = tmp_path / "every"
    every.mkdir()
    for path in shared.glob("kserve-*.yaml"):
        (every / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli_run(["compile", "mlops.yaml", "--out", "out1", "--kserve-runtimes", str(every)], expect=1)
    assert "KServe selects `kserve-openvino` for onnx:1 over v2" in result.stderr, result.stderr
    no_triton = tmp_path / "no-triton"
    no_triton.mkdir()
    for path in folder.glob("*.yaml"):
        if path.name != "kserve-tritonserver.yaml":
            (no_triton / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli_run(["compile", "mlops.yaml", "--out", "out2", "--kserve-runtimes", str(no_triton)], expect=1)
    assert "error[KSV013]" in result.stderr, result.stderr
    assert "serves modelFormat onnx:1 over v2 for the batch pod's sidecar" in result.stderr
    assert not (tmp_path / "out2").exists()
    other = tmp_path / "other-triton"
    other.mkdir()
    for path in no_triton.glob("*.yaml"):
        (other / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    triton = (folder / "kserve-tritonserver.yaml").read_text(encoding="utf-8")
    assert "tritonserver:" in triton

    (other / "kserve-tritonserver.yaml").write_text(
        re.sub(r"image: \S*tritonserver:\S+", "image: registry.example.com/triton:24.01-py3", triton),
        encoding="utf-8",
    )
    result = cli_run(["compile", "mlops.yaml", "--out", "out3", "--kserve-runtimes", str(other)], expect=0)
    assert "warning[KSV037]" in result.stderr and "registry.example.com/triton:24.01-py3" in result.stderr
    preferred = tmp_path / "preferred"
    preferred.mkdir()
    for path in folder.glob("*.yaml"):
        if path.name:
            (preferred / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (preferred / "my-onnx.yaml").write_text(
        "apiVersion: serving.kserve.io/v1alpha1\nkind: ClusterServingRuntime\nmetadata: {name: my-onnx}\n"
        "spec:\n  supportedModelFormats: [{name: onnx, version: '1', autoSelect: true, priority: 9}]\n"
        "  protocolVersions: [v2]\n  containers: [{name: kserve-container, image: registry.example.com/onnx:1}]\n",
        encoding="utf-8",
    )
    result = cli_run(["compile", "mlops.yaml", "--out", "out4", "--kserve-runtimes", str(preferred)], expect=1)
    assert "KServe selects `my-onnx` for onnx:1 over v2" in result.stderr, result.stderr
