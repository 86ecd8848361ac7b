"""The rendered Azure ML score.py and batch_score.py run with the REAL torch, tensorflow and transformers.

torch (CPU build), tensorflow-cpu and transformers are too large for the test extras and pin numpy and
protobuf against the test venv's packages, so they live in a virtualenv of their own, pinned in
tests/frameworks/requirements.txt and made by ``bash tests/frameworks/make-venv``; its interpreter is
named by ``MLOPSC_FRAMEWORKS_PYTHON`` (.ci/run makes it and exports the variable, so CI runs every test
here: tests/conftest.py fails a skip under CI=true). Unset on a developer's machine, these tests skip
with that command as the reason.

Each test makes a tiny model with the real framework (tests/frameworks/make_models.py, in the frameworks
interpreter: nothing is downloaded), compiles a spec for that framework at the installed version, and
runs the rendered scripts as Azure runs them: ``init()`` then ``run()`` of score.py with the signature's
rows (columns out of signature order), and ``init()`` then ``run(mini_batch)`` of batch_score.py on a CSV
file. Predictions are held to the model's own arithmetic (the linear layer WEIGHT.x + BIAS) or, for the
Hugging Face classifier, to the model's own forward pass on the same texts.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.test_azureml_scoring_frameworks import (
    BATCH_DRIVER,
    EXPECTED,
    NLP_SIGNATURE,
    ROWS,
    TEXTS,
    assert_close,
    rendered,
    serve,
)

ENV = "MLOPSC_FRAMEWORKS_PYTHON"
MAKER = Path(__file__).parent / "frameworks" / "make_models.py"
# the spec's framework.version for each installed release (tests/frameworks/requirements.txt)
VERSIONS = {"pytorch": "2.13", "tensorflow": "2.21", "huggingface": "5.18"}


@pytest.fixture(scope="module")
def frameworks_python() -> str:
    python = os.environ.get(ENV, "")
    if not python:
        pytest.skip(
            f"{ENV} is not set: make the frameworks venv with `bash tests/frameworks/make-venv` and export "
            f"{ENV}=$PWD/.venv-frameworks/bin/python (CI does)"
        )
    assert Path(python).is_file(), f"{ENV}={python} is not a file"
    return python


def make(python: str, kind: str, folder: Path, *texts: str) -> dict[str, Any]:
    """Make a tiny model of ``kind`` in ``folder`` with the real framework (tests/frameworks/make_models.py)."""
    out = subprocess.run(
        [python, str(MAKER), kind, str(folder), *texts],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    made: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return made


def model_folder(tmp_path: Path) -> Path:
    return tmp_path / "model" / "loan-default" / "4"  # <model>/<version>/ as Azure mounts AZUREML_MODEL_DIR


def serve_batch(tmp_path: Path, files: dict[str, str], python: str, csv: str) -> list[dict[str, Any]]:
    """init() and run([file]) of the rendered batch_score.py in a child ``python``."""
    script = tmp_path / "batch_score.py"
    script.write_text(files["score/batch_score.py"], encoding="utf-8")
    data = tmp_path / "part-0.csv"
    data.write_text(csv, encoding="utf-8")
    out = subprocess.run(
        [python, "-c", BATCH_DRIVER, str(script), str(data)],
        env={**os.environ, "AZUREML_MODEL_DIR": str(tmp_path / "model")},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    rows: list[dict[str, Any]] = json.loads(out.stdout.strip().splitlines()[-1])
    return rows


def rendered_pair(framework: str, **model: Any) -> dict[str, str]:
    """The online files, plus the batch deployment's batch_score.py for the same model."""
    files = rendered(framework, VERSIONS[framework], **model)
    batch = rendered(framework, VERSIONS[framework], batch=True, **model)
    files["score/batch_score.py"] = batch["score/batch_score.py"]
    return files


# columns out of signature order, as ROWS are
LINEAR_CSV = "employment_years,income,debt_ratio\n4,4.0,0.3\n10,1.0,0.5\n"


@pytest.mark.parametrize(
    ("framework", "kind"),
    [("pytorch", "torchscript"), ("tensorflow", "keras"), ("tensorflow", "savedmodel")],
)
def test_score_py_serves_a_real_model(tmp_path: Path, frameworks_python: str, framework: str, kind: str) -> None:
    made = make(frameworks_python, kind, model_folder(tmp_path))
    assert made["version"].startswith(VERSIONS[framework] + "."), made  # the version the spec names is run
    files = rendered_pair(framework)
    predictions = serve(tmp_path, files, fakes=False, python=frameworks_python)
    assert all(isinstance(p, float) for p in predictions), predictions  # one number per row, not [[...]]
    assert_close(predictions, EXPECTED)
    scored = serve_batch(tmp_path, files, frameworks_python, LINEAR_CSV)
    assert [row["file"] for row in scored] == ["part-0.csv", "part-0.csv"]
    assert_close([row["prediction"] for row in scored], EXPECTED)


def test_huggingface_score_py_runs_a_real_pipeline(tmp_path: Path, frameworks_python: str) -> None:
    texts = [row["text"] for row in TEXTS]
    made = make(frameworks_python, "distilbert", model_folder(tmp_path), *texts)
    assert made["version"].startswith(VERSIONS["huggingface"] + "."), made
    expected: list[dict[str, Any]] = made["expected"]
    assert expected[0]["label"] != expected[1]["label"]  # a row mix-up would show
    files = rendered_pair("huggingface", type="nlp", signature=NLP_SIGNATURE)
    for predictions in (
        serve(tmp_path, files, fakes=False, rows=TEXTS, python=frameworks_python),
        [row["prediction"] for row in serve_batch(tmp_path, files, frameworks_python, "text\n" + "\n".join(texts))],
    ):
        assert [p["label"] for p in predictions] == [e["label"] for e in expected], (predictions, expected)
        assert_close([p["score"] for p in predictions], [e["score"] for e in expected])


def test_rows_are_the_linear_cases_rows() -> None:
    """LINEAR_CSV holds the same rows as ROWS (so both scripts are held to EXPECTED)."""
    header, *lines = LINEAR_CSV.strip().split("\n")
    names = header.split(",")
    assert [dict(zip(names, map(float, line.split(",")), strict=True)) for line in lines] == ROWS


def test_huggingface_generative_score_py_runs_a_real_text_generation_pipeline(
    tmp_path: Path, frameworks_python: str
) -> None:
    """model.type generative: the text-generation pipeline, held to the model's own greedy generate."""
    texts = [row["text"] for row in TEXTS]
    made = make(frameworks_python, "gpt2", model_folder(tmp_path), *texts)
    expected: list[dict[str, Any]] = made["expected"]
    assert all(e["generated_text"].startswith(t) for e, t in zip(expected, texts, strict=True))
    assert [e["generated_text"] for e in expected] != texts  # something was generated
    files = rendered("huggingface", VERSIONS["huggingface"], type="generative", signature=NLP_SIGNATURE)
    assert 'TASK = "text-generation"' in files["score/score.py"]
    assert serve(tmp_path, files, fakes=False, rows=TEXTS, python=frameworks_python) == expected
