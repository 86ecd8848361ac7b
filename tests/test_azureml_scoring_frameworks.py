"""The rendered Azure ML score.py of every framework the spec accepts, really run on a tiny model.

Each case compiles a spec for the framework (signature income, debt_ratio, employment_years), writes a
tiny model made here into ``AZUREML_MODEL_DIR`` as Azure mounts it (``<model>/<version>/...``) and runs
``init()`` and ``run()`` in a child interpreter, then checks the predictions against the model's own
arithmetic (a linear layer), with the request's columns given out of signature order.

- ONNX: real onnx + onnxruntime (test extras, ~110 MB): a MatMul+Add graph built with ``onnx.helper``.
- PyTorch, TensorFlow, Hugging Face: against the fakes of tests/fakes/frameworks/ (real call shapes, see
  its README), so they run with no framework installed and for versions other than the installed ones
  (pins and curated environments). The same scripts with the REAL torch, tensorflow and transformers
  are tests/test_azureml_scoring_real.py (a venv of their own, made by tests/frameworks/make-venv; CI
  makes it and runs them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from tests.golden_cases import ROOT, TODAY

np = pytest.importorskip("numpy")

FAKES = Path(__file__).parent / "fakes" / "frameworks"
BASE = ROOT / "golden" / "azureml-monitoring" / "mlops.yaml"
WEIGHT = [[0.5, -2.0, 0.25]]
BIAS = [0.1]
ROWS = [
    {"employment_years": 4, "debt_ratio": 0.3, "income": 4.0},  # out of signature order on purpose
    {"income": 1.0, "employment_years": 10, "debt_ratio": 0.5},
]
EXPECTED = [0.5 * 4.0 - 2.0 * 0.3 + 0.25 * 4 + 0.1, 0.5 * 1.0 - 2.0 * 0.5 + 0.25 * 10 + 0.1]

DRIVER = textwrap.dedent(
    """
    import importlib.util, json, sys
    fakes, script, payload = sys.argv[1:4]
    if fakes:
        sys.path.insert(0, fakes)
    spec = importlib.util.spec_from_file_location("score", script)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    score.init()
    print(json.dumps(score.run(payload)))
    """
)


def rendered(framework: str, version: str, *, batch: bool = False, **model: Any) -> dict[str, str]:
    """The Azure ML files of the monitoring golden's spec for ``framework`` (a batch deployment if ``batch``)."""
    doc: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    doc.pop("monitoring")
    doc["model"]["framework"] = {"name": framework, "version": version}
    doc["model"].update(model)
    if batch:
        doc["serving"]["mode"] = "batch"
        doc["serving"]["batch"] = {
            "schedule": "0 2 * * *",
            "input_uri": "azureml://datastores/d/paths/in/",
            "output_uri": "azureml://datastores/d/paths/out/",
        }
    result = run(
        "mlops.yaml", yaml.safe_dump(doc, sort_keys=False).encode(), Options(targets=("azureml",), today=TODAY)
    )
    assert isinstance(result, Emitted), [d.message for d in result.diagnostics]
    return {f.path.split("/azureml/", 1)[1]: f.content for f in result.files if "/azureml/" in f.path}


def serve(
    tmp_path: Path,
    files: dict[str, str],
    *,
    fakes: bool,
    rows: list[dict[str, Any]] | None = None,
    python: str = sys.executable,
) -> Any:
    """init() and run() of the rendered score.py in a child ``python``, the model under tmp_path/model."""
    script = tmp_path / "score" / "score.py"
    script.parent.mkdir()
    script.write_text(files["score/score.py"], encoding="utf-8")
    out = subprocess.run(
        [
            python,
            "-c",
            DRIVER,
            str(FAKES) if fakes else "",
            str(script),
            json.dumps({"input_data": rows or ROWS}),
        ],
        env={**os.environ, "AZUREML_MODEL_DIR": str(tmp_path / "model")},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])["predictions"]


def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model" / "loan-default" / "4"
    folder.mkdir(parents=True)
    return folder


def weights_json() -> str:
    return json.dumps({"weight": WEIGHT, "bias": BIAS})


def conda_pip(files: dict[str, str]) -> list[str]:
    (deployment,) = [yaml.safe_load(t) for n, t in files.items() if n.startswith("deployment-")]
    assert set(deployment["environment"]) == {"image", "conda_file"}
    assert deployment["environment"]["image"].startswith("mcr.microsoft.com/azureml/curated/minimal-py311-inference")
    conda = yaml.safe_load(files[deployment["environment"]["conda_file"].removeprefix("./")])
    (pip,) = [d["pip"] for d in conda["dependencies"] if isinstance(d, dict)]
    return [str(p) for p in pip]


def assert_close(predictions: Any, expected: list[float]) -> None:
    flat = np.asarray(predictions, dtype=float).reshape(len(expected))
    assert np.allclose(flat, expected, atol=1e-5), (predictions, expected)


# ------------------------------------------------------------------------------------------------ ONNX


def test_onnx_score_py_runs_the_graph_with_onnxruntime(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx", reason="onnx is part of the test extras")
    pytest.importorskip("onnxruntime", reason="onnxruntime is part of the test extras")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["XW"]), helper.make_node("Add", ["XW", "B"], ["Y"])],
        "linear",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])],
        [
            helper.make_tensor("W", TensorProto.FLOAT, [3, 1], [w for row in zip(*WEIGHT, strict=True) for w in row]),
            helper.make_tensor("B", TensorProto.FLOAT, [1], BIAS),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(model_dir(tmp_path) / "model.onnx"))
    files = rendered("onnx", "1.16")
    predictions = serve(tmp_path, files, fakes=False)
    assert all(isinstance(p, float) for p in predictions), predictions  # one number per row, not [[...]]
    assert_close(predictions, EXPECTED)
    pip = conda_pip(files)
    assert "onnx==1.16.*" in pip and "onnxruntime" in pip and "pandas" in pip


# --------------------------------------------------------------------------------------------- PyTorch


def test_pytorch_score_py_loads_torchscript(tmp_path: Path) -> None:
    (model_dir(tmp_path) / "model.pt").write_text(weights_json(), encoding="utf-8")
    files = rendered("pytorch", "2.1")
    assert "torch.jit.load(path" in files["score/score.py"]
    assert_close(serve(tmp_path, files, fakes=True), EXPECTED)
    assert "torch==2.1.*" in conda_pip(files)


# ------------------------------------------------------------------------------------------ TensorFlow


@pytest.mark.parametrize("layout", ["keras", "savedmodel"])
def test_tensorflow_score_py_loads_keras_and_savedmodel(tmp_path: Path, layout: str) -> None:
    folder = model_dir(tmp_path)
    if layout == "keras":
        (folder / "model.keras").write_text(weights_json(), encoding="utf-8")
    else:
        (folder / "saved").mkdir()
        (folder / "saved" / "saved_model.pb").write_text(weights_json(), encoding="utf-8")
    files = rendered("tensorflow", "2.16")
    assert_close(serve(tmp_path, files, fakes=True), EXPECTED)
    (deployment,) = [yaml.safe_load(t) for n, t in files.items() if n.startswith("deployment-")]
    # the curated TensorFlow environment carries tensorflow, pandas and the inference server (azureml-defaults)
    assert "/environments/tensorflow-2.16-" in deployment["environment"]


# ---------------------------------------------------------------------------------------- Hugging Face

TEXTS = [{"text": "a short one"}, {"text": "longer text here"}]
NLP_SIGNATURE = {"inputs": [{"name": "text", "type": "string"}], "outputs": [{"name": "label", "type": "string"}]}


def test_huggingface_score_py_runs_a_local_pipeline(tmp_path: Path) -> None:
    folder = model_dir(tmp_path)
    (folder / "config.json").write_text(json.dumps({"id2label": {"0": "ok", "1": "default"}}), encoding="utf-8")
    files = rendered("huggingface", "4.44", type="nlp", signature=NLP_SIGNATURE)
    assert 'TASK = "text-classification"' in files["score/score.py"]
    predictions = serve(tmp_path, files, fakes=True, rows=TEXTS)
    assert predictions == [{"label": "default", "score": 1.0}, {"label": "ok", "score": 1.0}]
    pip = conda_pip(files)
    assert "transformers==4.44.*" in pip and "torch" in pip


BATCH_DRIVER = textwrap.dedent(
    """
    import importlib.util, json, sys
    script, data = sys.argv[1:3]
    spec = importlib.util.spec_from_file_location("batch_score", script)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    score.init()
    print(json.dumps(score.run([data]).to_dict("records")))
    """
)


def test_onnx_batch_score_py_scores_a_file(tmp_path: Path) -> None:
    """The batch script of the azureml-batch-cluster golden's kind: one output row per input row."""
    pytest.importorskip("onnxruntime", reason="onnxruntime is part of the test extras")
    onnx = pytest.importorskip("onnx", reason="onnx is part of the test extras")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["Y"])],
        "linear",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor("W", TensorProto.FLOAT, [3, 1], [1.0, 10.0, 100.0])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(model_dir(tmp_path) / "model.onnx"))
    files = rendered("onnx", "1.16", batch=True)
    assert "compute.yaml" in files  # no batch_compute named: the cluster is rendered
    script = tmp_path / "batch_score.py"
    script.write_text(files["score/batch_score.py"], encoding="utf-8")
    data = tmp_path / "part-0.csv"
    data.write_text("employment_years,income,debt_ratio\n2,1,3\n0,5,0\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", BATCH_DRIVER, str(script), str(data)],
        env={**os.environ, "AZUREML_MODEL_DIR": str(tmp_path / "model")},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        {"file": "part-0.csv", "prediction": 1.0 + 30.0 + 200.0},
        {"file": "part-0.csv", "prediction": 5.0},
    ]


@pytest.mark.parametrize(
    ("framework", "version", "floor"), [("pytorch", "1.10", "1.11"), ("tensorflow", "1.15", "2.8")]
)
def test_a_version_without_python_310_wheels_is_refused(framework: str, version: str, floor: str) -> None:
    """A conda-built environment runs Python 3.10: a framework release without wheels for it cannot be
    installed, so the compile refuses (AML014) instead of rendering an environment Azure cannot build."""
    doc: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    doc["model"]["framework"] = {"name": framework, "version": version}
    result = run(
        "mlops.yaml", yaml.safe_dump(doc, sort_keys=False).encode(), Options(targets=("azureml",), today=TODAY)
    )
    (error,) = [d for d in result.diagnostics if d.is_error]
    assert error.code == "AML014"
    assert f"no wheels for Python 3.10 (from {floor} on)" in error.message
