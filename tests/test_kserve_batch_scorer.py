"""Batch without `serving.batch.image` on KServe: the generated scorer, run for real against local fakes of what
the runtime image provides (KServe's model class and storage library, boto3), with the environment of the rendered
CronJob."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.kserve_specs import Combo, compile_text, spec_text
from tests.validators.rendered import problems

# Fakes of the runtime image's modules: a bucket is a folder under FAKE_S3.
FAKES = {
    "kserve_storage/__init__.py": """
import os, shutil

class Storage:
    @staticmethod
    def download(uri, out_dir=None):
        if os.path.exists(uri):  # a local path (a mounted volume) is used where it is, like the real one
            return uri
        scheme, _, rest = uri.partition("://")
        assert scheme == "s3", uri
        source = os.path.join(os.environ["FAKE_S3"], rest)
        out_dir = out_dir or os.path.join(os.environ["FAKE_S3"], "_downloads", rest.replace("/", "_"))
        if os.path.isdir(source):
            shutil.copytree(source, out_dir, dirs_exist_ok=True)
        else:
            os.makedirs(out_dir, exist_ok=True)
            shutil.copy(source, out_dir)
        return out_dir
""",
    "boto3/__init__.py": """
import os, shutil

class _S3:
    def upload_file(self, path, bucket, key):
        target = os.path.join(os.environ["FAKE_S3"], bucket, key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy(path, target)

def client(name):
    assert name == "s3"
    return _S3()
""",
    "fakemodel.py": '''
import os
from kserve_storage import Storage

class FakeModel:
    """Loads like KServe's model classes (Storage.download of model_dir) and scores a row as the sum of its values."""

    def __init__(self, name, model_dir, *nthread):
        self.name, self.model_dir, self.nthread = name, model_dir, nthread

    def load(self):
        path = Storage.download(self.model_dir)
        self.files = sorted(os.listdir(path))
        assert self.files, path
        return True

    def predict(self, payload, headers=None):
        return {"predictions": [sum(row) for row in payload["instances"]]}
''',
    "sklearnserver/__init__.py": "from fakemodel import FakeModel as SKLearnModel\n",
    "xgbserver/__init__.py": "from fakemodel import FakeModel as XGBoostModel\n",
    "lgbserver/__init__.py": "from fakemodel import FakeModel as LightGBMModel\n",
}


def _batch_spec(framework: str, extra: str = "") -> str:
    text = spec_text(Combo(framework, "rest", "serverless", "hybrid", monitoring=False))
    text = text.replace("  mode: hybrid\n", "  mode: batch\n").replace(
        "    image: registry.example.com/acme/batch:1.0\n", ""
    )
    text = text.replace(
        "  version: 1.0.0\n",
        "  version: 1.0.0\n  signature:\n"
        "    inputs: [{name: b, type: double}, {name: a, type: double}]\n"
        "    outputs: [{name: score, type: double}]\n",
    )
    return text + extra


def _run(result: Any, tmp_path: Path, mounts: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    job = result.body("cronjob-batch.yaml")
    scorer = result.body("configmap-batch-scorer.yaml")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    mount = container["volumeMounts"][0]
    assert pod["volumes"][0]["configMap"]["name"] == scorer["metadata"]["name"]
    assert container["command"][-1].startswith(mount["mountPath"] + "/")
    script = tmp_path / "scorer" / "score.py"
    script.parent.mkdir()
    script.write_text(scorer["data"]["score.py"], encoding="utf-8")
    fakes = tmp_path / "fakes"
    for rel, text in FAKES.items():
        (fakes / rel).parent.mkdir(parents=True, exist_ok=True)
        (fakes / rel).write_text(text, encoding="utf-8")
    env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    for name, value in env.items():  # a volume mounted at a path of the pod: a folder of the test stands for it
        for mount_path, folder in (mounts or {}).items():
            if value == mount_path:
                env[name] = folder
    env.update(FAKE_S3=str(tmp_path / "s3"), PYTHONPATH=str(fakes), PATH=os.environ.get("PATH", ""))
    return subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False, cwd=tmp_path
    )


@pytest.mark.parametrize("framework", ["sklearn", "xgboost", "lightgbm"])
def test_scorer_runs_in_the_runtime_image_and_scores_every_row(framework: str, tmp_path: Path) -> None:
    result = compile_text(_batch_spec(framework))
    assert not result.errors(), result.errors()
    for f in result.files:
        assert problems(f) == [], f.path
    job = result.body("cronjob-batch.yaml")
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert container["image"].startswith(
        f"kserve/{ {'sklearn': 'sklearnserver', 'xgboost': 'xgbserver', 'lightgbm': 'lgbserver'}[framework] }:"
    )
    s3 = tmp_path / "s3"
    model = s3 / "acme-models/m/1.0.0"
    model.mkdir(parents=True)
    (model / Path(container_env(container, "MODEL_URI")).name).write_text("model bytes")
    data = s3 / "acme-data/in"
    data.mkdir(parents=True)
    (data / "part-1.csv").write_text("a,b\n1,10\n2,20\n", encoding="utf-8")
    (data / "nested").mkdir()
    (data / "nested/part-2.jsonl").write_text('{"b": 5, "a": 0.5}\n', encoding="utf-8")
    (data / "notes.txt").write_text("not data")
    run = _run(result, tmp_path)
    assert run.returncode == 0, run.stderr
    out = (s3 / "acme-data/out/predictions-1.0.0.jsonl").read_text(encoding="utf-8").splitlines()
    # signature order is [b, a]; the fake model sums a row, so each prediction is a + b
    assert [json.loads(line) for line in out] == [
        {"file": "nested/part-2.jsonl", "row": 0, "prediction": 5.5},
        {"file": "part-1.csv", "row": 0, "prediction": 11.0},
        {"file": "part-1.csv", "row": 1, "prediction": 22.0},
    ]
    assert "scored 3 rows from 2 files" in run.stderr


def container_env(container: dict[str, Any], name: str) -> str:
    return str(next(e["value"] for e in container["env"] if e["name"] == name))


def test_missing_column_fails_the_job(tmp_path: Path) -> None:
    result = compile_text(_batch_spec("sklearn"))
    s3 = tmp_path / "s3"
    (s3 / "acme-models/m/1.0.0").mkdir(parents=True)
    (s3 / "acme-models/m/1.0.0/model.joblib").write_text("x")
    (s3 / "acme-data/in").mkdir(parents=True)
    (s3 / "acme-data/in/rows.csv").write_text("a\n1\n", encoding="utf-8")
    run = _run(result, tmp_path)
    assert run.returncode != 0 and "missing input columns: ['b']" in run.stderr
    assert not (s3 / "acme-data/out").exists()


def test_scorer_is_one_text_per_framework_and_no_spec_value_is_code() -> None:
    # every spec value reaches the script through the environment: other names, URIs and features, same text
    other = (
        _batch_spec("sklearn")
        .replace("s3://acme-data/in/", "gs://other-bucket/rows/")
        .replace("name: scorer", "name: other-model")
        .replace("{name: a, type: double}", "{name: zeta, type: double}")
    )
    first = compile_text(_batch_spec("sklearn")).body("configmap-batch-scorer.yaml")["data"]
    second = compile_text(other).body("configmap-batch-scorer.yaml")["data"]
    assert first == second  # type: ignore[comparison-overlap]
    script = first["score.py"]  # type: ignore[index]
    assert not any(value in script for value in ("acme", "other-bucket", "zeta", "1.0.0"))
    compile(script, "score.py", "exec")


def test_output_the_scorer_cannot_upload_is_refused() -> None:
    result = compile_text(
        _batch_spec("sklearn").replace("output_uri: s3://acme-data/out/", "output_uri: https://x.example.com/out/")
    )
    assert [d.code for d in result.errors()] == ["KSV035"]


@pytest.mark.parametrize(
    ("framework", "uri"),
    [
        ("sklearn", "s3://acme-models/m/1.0.0/model.bst"),
        ("xgboost", "s3://acme-models/m/1.0.0/model.joblib"),
        ("lightgbm", "s3://acme-models/m/1.0.0/model.tar.gz"),
    ],
)
def test_batch_only_scorer_checks_the_artifact_like_its_runtime(framework: str, uri: str) -> None:
    # the scorer loads with the runtime's model class, so the runtime's layout rules hold in batch-only mode too
    text = _batch_spec(framework)
    from tests.kserve_specs import FRAMEWORKS

    result = compile_text(text.replace(FRAMEWORKS[framework][1], uri))
    codes = [d.code for d in result.diagnostics if d.code.startswith("KSV")]
    assert codes == (["KSV012"] if uri.endswith(".tar.gz") else ["KSV011"])


def test_a_pvc_model_is_mounted_and_loaded_from_there(tmp_path: Path) -> None:
    # Storage.download reads no pvc:// URI (python/storage/kserve_storage/kserve_storage.py at v0.20.0) but loads a
    # local folder where it is: the claim is mounted read-only at /mnt/models as KServe mounts it; MODEL_URI is that
    result = compile_text(
        _batch_spec("sklearn").replace("s3://acme-models/m/1.0.0/model.joblib", "pvc://models/sk/1.0.0")
    )
    assert not result.errors(), result.errors()
    for f in result.files:
        assert problems(f) == [], f.path
    pod = result.body("cronjob-batch.yaml")["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[index]
    (container,) = pod["containers"]
    assert container_env(container, "MODEL_URI") == "/mnt/models"
    assert {"name": "kserve-pvc-source", "mountPath": "/mnt/models", "subPath": "sk/1.0.0", "readOnly": True} in (
        container["volumeMounts"]
    )
    assert {"name": "kserve-pvc-source", "persistentVolumeClaim": {"claimName": "models"}} in pod["volumes"]
    claim = tmp_path / "claim"
    claim.mkdir()
    (claim / "model.joblib").write_text("model bytes")
    data = tmp_path / "s3/acme-data/in"
    data.mkdir(parents=True)
    (data / "rows.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    run = _run(result, tmp_path, {"/mnt/models": str(claim)})
    assert run.returncode == 0, run.stderr
    out = (tmp_path / "s3/acme-data/out/predictions-1.0.0.jsonl").read_text(encoding="utf-8")
    assert json.loads(out) == {"file": "rows.csv", "row": 0, "prediction": 3.0}


def test_an_oci_model_is_refused_for_the_scorer() -> None:
    result = compile_text(
        _batch_spec("sklearn").replace("s3://acme-models/m/1.0.0/model.joblib", "oci://ghcr.io/a/m:1")
    )
    (error,) = result.errors()
    assert error.code == "KSV009" and "OCI image" in error.message
