"""The Azure ML target: the root spec renders files the azure-ai-ml loaders accept, every refusal
names its code and spec path, the rendered files are strictly validated, and score.py is real code."""

from __future__ import annotations

import ast
import copy
import dataclasses
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Emitted, Options, RenderedFile
from mlopsc.compiler.passes import run
from mlopsc.targets.azureml.naming import deployment_name, endpoint_name
from mlopsc.targets.azureml.scoring import SCORING_FRAMEWORKS, batch_score_py, score_py
from tests.golden_cases import GOLDEN, ROOT, TODAY
from tests.validators.azureml import check_rendered, check_tree

ROOT_SPEC = ROOT / "mlops.yaml"
ENVIRONMENTS = ("staging", "production")


def _compile(doc: dict[str, Any] | None = None, name: str = "mlops.yaml") -> Any:
    text = ROOT_SPEC.read_bytes() if doc is None else yaml.safe_dump(doc, sort_keys=False).encode()
    return run(name, text, Options(targets=("azureml",), today=TODAY))


def _root() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(ROOT_SPEC.read_text(encoding="utf-8"))
    rollback = doc["rollout"]["rollback"]
    rollback["on"] = rollback.pop(True)  # YAML 1.1 reads the key `on` as true
    return doc


def _errors(result: Any) -> list[Any]:
    return [d for d in result.diagnostics if d.severity is Severity.ERROR]


def _folders(files: tuple[RenderedFile, ...]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in files:
        folder, _, name = f.path.partition("/azureml/")
        if name:
            out.setdefault(folder, {})[name] = f.content
    return out


# --------------------------------------------------------------------------------------------
# The root spec
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def root_files() -> tuple[RenderedFile, ...]:
    result = _compile()
    assert isinstance(result, Emitted), [d.message for d in result.diagnostics]
    assert not _errors(result)
    return tuple(f for f in result.files if f.platform == "azureml")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_root_spec_renders_valid_files(root_files: tuple[RenderedFile, ...], environment: str) -> None:
    files = [f for f in root_files if f.environment == environment]
    names = {f.path.split("/azureml/")[1] for f in files}
    assert {"model.yaml", "endpoint.yaml", "deployment-v2-1-0.yaml", "monitor.yaml", "apply.sh", "README.md"} <= names
    assert {"retraining-schedule.yaml", "retraining-pipeline.yaml", "score/score.py"} <= names
    failures = {f.path: p for f in files if (p := check_rendered(f))}
    assert not failures, failures
    (tree,) = _folders(tuple(files)).values()
    assert check_tree(tree) == []


def test_root_production_is_a_canary_and_staging_all_at_once(root_files: tuple[RenderedFile, ...]) -> None:
    trees = _folders(root_files)
    production = yaml.safe_load(trees["production/fraud-detection"]["endpoint.yaml"])
    staging = yaml.safe_load(trees["staging/fraud-detection"]["endpoint.yaml"])
    assert production["traffic"] == {"v2-0-0": 95, "v2-1-0": 5}
    assert staging["traffic"] == {"v2-1-0": 100}
    assert production["name"] != staging["name"]  # endpoint names are unique per region
    assert "autoscale.json" in trees["production/fraud-detection"]


def test_secret_is_a_key_vault_url_never_a_value(root_files: tuple[RenderedFile, ...]) -> None:
    tree = _folders(root_files)["production/fraud-detection"]
    deployment = yaml.safe_load(tree["deployment-v2-1-0.yaml"])
    env = deployment["environment_variables"]
    assert env["FEATURE_STORE_TOKEN_SECRET_URL"] == "https://acme-kv.vault.azure.net/secrets/feature-store-token"
    assert "FEATURE_STORE_TOKEN" not in env
    assert "--role 'Key Vault Secrets User'" in tree["apply.sh"]


def test_apply_script_orders_the_commands(root_files: tuple[RenderedFile, ...]) -> None:
    script = _folders(root_files)["production/fraud-detection"]["apply.sh"]
    assert "set -euo pipefail" in script
    order = [
        "az ml model create --file model.yaml",
        "az ml online-endpoint create --name fraud-detection-production --auth-mode key",
        "if ! az ml online-deployment show --name v2-0-0 --endpoint-name fraud-detection-production",
        "az ml online-deployment create --file deployment-v2-1-0.yaml",
        "az ml online-endpoint update --file endpoint.yaml",
        "az ml online-deployment delete --name",
        "az deployment group create",
        "az ml schedule create --file monitor.yaml",
        "az ml schedule create --file retraining-schedule.yaml",
    ]
    positions = [script.index(command) for command in order]
    assert positions == sorted(positions)
    assert "--traffic" not in script.split("az ml online-endpoint create")[1].splitlines()[0]
    # a canary never writes the live deployment: it is not rendered and no command names its file
    assert "deployment-v2-0-0.yaml" not in script
    assert "deployment-v2-0-0.yaml" not in _folders(root_files)["production/fraud-detection"]


# --------------------------------------------------------------------------------------------
# Golden cases: cross-file checks (traffic names deployments, schedule loads with its job file)
# --------------------------------------------------------------------------------------------

AZURE_GOLDENS = sorted(p.parent.name for p in GOLDEN.glob("azureml-*/mlops.yaml"))


def test_ten_azureml_golden_cases() -> None:
    assert len(AZURE_GOLDENS) >= 10


@pytest.mark.parametrize("case", AZURE_GOLDENS)
def test_golden_folders_hold_together(case: str) -> None:
    spec = GOLDEN / case / "mlops.yaml"
    result = run(spec.relative_to(ROOT).as_posix(), spec.read_bytes(), Options(today=TODAY))
    assert isinstance(result, Emitted)
    trees = _folders(result.files)
    assert trees
    for folder, tree in trees.items():
        assert check_tree(tree) == [], folder


def test_traffic_per_strategy() -> None:
    def traffic(case: str) -> tuple[dict[str, int], dict[str, int]]:
        (folder,) = (GOLDEN / case / "expected").glob("*/*/azureml")
        doc = yaml.safe_load((folder / "endpoint.yaml").read_text(encoding="utf-8"))
        return doc["traffic"], doc["mirror_traffic"]

    # mirror_traffic is always written, 0 where nothing is mirrored (it stops an earlier shadow)
    assert traffic("azureml-canary") == ({"v3-0-0": 90, "v3-1-0": 10}, {"v3-0-0": 0, "v3-1-0": 0})
    assert traffic("azureml-blue-green") == ({"v1-3-2": 100, "v1-4-0": 0}, {"v1-3-2": 0, "v1-4-0": 0})
    assert traffic("azureml-shadow-mirror") == ({"v2-0-0": 100, "v2-1-0": 0}, {"v2-0-0": 0, "v2-1-0": 20})
    assert traffic("azureml-ab") == ({"v4-2-0": 70, "v5-0-0": 30}, {"v4-2-0": 0, "v5-0-0": 0})
    assert traffic("azureml-gpu") == ({"v1-2-0": 100}, {"v1-2-0": 0})


# --------------------------------------------------------------------------------------------
# Refusals: code and spec path
# --------------------------------------------------------------------------------------------


def _refusal(doc: dict[str, Any], code: str) -> Any:
    result = _compile(doc)
    found = [d for d in _errors(result) if d.code == code]
    assert found, [(d.code, d.message) for d in result.diagnostics]
    return found[0]


def test_mirror_over_50_is_refused() -> None:
    doc = _root()
    doc["rollout"].update(strategy="shadow", traffic=60)
    error = _refusal(doc, "AML005")
    assert error.path == ("rollout", "traffic")
    assert "50%" in error.message and "SageMaker" in error.hint


def test_s3_artifact_without_mirror_is_refused() -> None:
    doc = _root()
    del doc["model"]["artifact"]["mirrors"]["azureml"]
    error = _refusal(doc, "AML003")
    assert error.path == ("model", "artifact", "uri")
    assert "model.artifact.mirrors.azureml" in error.hint


def test_ecr_serving_image_without_mirror_is_refused() -> None:
    doc = _root()
    doc["serving"]["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-serve@sha256:" + "7" * 64
    error = _refusal(doc, "AML002")
    assert error.path == ("serving", "image")
    assert "serving.image_mirrors.azureml" in error.hint


def test_ecr_retraining_image_without_mirror_is_refused() -> None:
    doc = _root()
    del doc["retraining"]["pipeline"]["mirrors"]["azureml"]
    error = _refusal(doc, "AML008")
    assert error.path == ("retraining", "pipeline", "image")
    assert "retraining.pipeline.mirrors.azureml" in error.hint


def test_unknown_sku_combination_is_refused_with_valid_skus() -> None:
    doc = _root()
    doc["serving"]["resources"] = {"cpu": 4, "memory_gb": 16, "gpu": 3}
    error = _refusal(doc, "AML004")
    assert error.path == ("serving", "resources")
    assert "3 GPUs" in error.message and "Standard_NC4as_T4_v3" in error.hint


def test_secret_without_azureml_entry_is_refused() -> None:
    doc = _root()
    del doc["secrets"]["feature-store-token"]["azureml"]
    error = _refusal(doc, "AML006")
    assert error.path == ("secrets", "feature-store-token")
    assert "vault.azure.net" in error.hint


def _batch_without_compute() -> dict[str, Any]:
    doc = _root()
    doc["serving"]["mode"] = "hybrid"
    doc["serving"]["batch"] = {
        "schedule": "0 2 * * *",
        "input_uri": "azureml://datastores/data/paths/in/",
        "output_uri": "azureml://datastores/data/paths/out/",
    }
    doc["serving"]["replicas"] = {"min": 2, "max": 6}
    return doc


def test_batch_without_compute_renders_an_amlcompute_cluster() -> None:
    """No platforms.azureml.batch_compute: compute.yaml is the cluster (was AML007), valid for azure-ai-ml,
    of the serving SKU, scaling from 0 to replicas.max; the batch deployment runs on it."""
    doc = _batch_without_compute()
    result = _compile(doc)
    assert isinstance(result, Emitted), [(d.code, d.message) for d in _errors(result)]
    for folder, files in _folders(result.files).items():
        compute = yaml.safe_load(files["compute.yaml"])
        online = next(yaml.safe_load(t) for n, t in files.items() if n.startswith("deployment-"))
        assert compute["type"] == "amlcompute" and compute["min_instances"] == 0
        assert compute["size"] == online["instance_type"]  # serving.resources through the SKU catalog
        assert compute["max_instances"] == doc["serving"]["replicas"]["max"], folder
        assert len(compute["name"]) <= 16 and compute["name"][0].isalpha()
        batch = yaml.safe_load(files["batch-deployment.yaml"])
        assert batch["compute"] == f"azureml:{compute['name']}"
        assert batch["resources"]["instance_count"] <= compute["max_instances"]
    failures = {f.path: p for f in result.files if f.path.endswith("compute.yaml") and (p := check_rendered(f))}
    assert failures == {}
    broken = next(f for f in result.files if f.path.endswith("compute.yaml"))
    bad = dataclasses.replace(broken, content=broken.content.replace("type: amlcompute", "type: nope"))
    assert check_rendered(bad) != []


def test_framework_without_scoring_code_or_image_is_refused() -> None:
    doc = _root()
    doc["model"]["framework"] = {"name": "custom", "version": "1.0"}
    error = _refusal(doc, "AML001")
    assert error.path == ("model", "framework")
    assert "serving.image" in error.hint and "sklearn" in error.hint


def test_s3_capture_destination_is_refused() -> None:
    doc = _root()
    del doc["platforms"]["azureml"]["capture_destination"]
    error = _refusal(doc, "AML009")
    assert error.path == ("monitoring", "capture", "destination")


# --------------------------------------------------------------------------------------------
# Strictness proven: a mutated rendered file fails
# --------------------------------------------------------------------------------------------


def _mutated(file: RenderedFile, change: Any) -> RenderedFile:
    body = yaml.safe_load(file.content)
    change(body)
    return RenderedFile(file.path, yaml.safe_dump(body), file.platform, file.environment, file.model, file.kind)


def _file(files: tuple[RenderedFile, ...], name: str) -> RenderedFile:
    return next(f for f in files if f.environment == "production" and f.path.endswith("/azureml/" + name))


@pytest.mark.parametrize(
    ("name", "change", "fragment"),
    [
        ("deployment-v2-1-0.yaml", lambda d: d.update(bogus=1), "bogus"),
        ("deployment-v2-1-0.yaml", lambda d: d.update(instance_count="two"), "instance_count"),
        ("deployment-v2-1-0.yaml", lambda d: d["liveness_probe"].update(period="often"), "period"),
        ("endpoint.yaml", lambda d: d.update(trafic={"v2-1-0": 100}), "trafic"),
        ("endpoint.yaml", lambda d: d["traffic"].update({"v2-1-0": 4}), "sum to 99"),
        ("model.yaml", lambda d: d.update(version=[2]), "version"),
        ("monitor.yaml", lambda d: d["create_monitor"].update(cadence="daily"), "cadence"),
        (
            "monitor.yaml",
            lambda d: d["create_monitor"]["monitoring_signals"]["drift-retrain"]["metric_thresholds"][
                "numerical"
            ].update(chi_squared_test=0.1),
            "chi_squared_test",
        ),
        ("retraining-schedule.yaml", lambda d: d["trigger"].update(expression=5), "expression"),
        ("retraining-pipeline.yaml", lambda d: d["jobs"]["train"].update(image="x"), "PipelineJobSchema"),
    ],
)
def test_mutated_file_fails(root_files: tuple[RenderedFile, ...], name: str, change: Any, fragment: str) -> None:
    original = _file(root_files, name)
    assert check_rendered(original) == []
    problems = check_rendered(_mutated(original, change))
    assert problems and fragment in " ".join(problems), problems


def test_mutated_autoscale_fails(root_files: tuple[RenderedFile, ...]) -> None:
    original = _file(root_files, "autoscale.json")
    body = json.loads(original.content)
    body["resources"][0]["properties"]["profiles"][0]["capacity"]["maximum"] = 8
    body["resources"][0]["properties"]["bogus"] = True
    mutated = RenderedFile(original.path, json.dumps(body), "azureml", "production", "fraud-detection", "x")
    problems = " ".join(check_rendered(mutated))
    assert "maximum" in problems and "bogus" in problems


def test_tree_check_catches_traffic_to_a_missing_deployment(root_files: tuple[RenderedFile, ...]) -> None:
    tree = dict(_folders(root_files)["production/fraud-detection"])
    assert check_tree(tree) == []
    # the live deployment v2-0-0 is not rendered: apply.sh must stop when it is missing
    tree["apply.sh"] = tree["apply.sh"].replace("if ! az ml online-deployment show --name v2-0-0", "if false")
    assert any("v2-0-0" in p and "neither rendered nor checked" in p for p in check_tree(tree))
    tree = dict(_folders(root_files)["production/fraud-detection"])
    del tree["deployment-v2-1-0.yaml"]
    assert any("v2-1-0" in p for p in check_tree(tree))


# --------------------------------------------------------------------------------------------
# Names and scoring code
# --------------------------------------------------------------------------------------------


def test_names_follow_azure_rules() -> None:
    assert deployment_name("2.1.0") == "v2-1-0"
    assert deployment_name("3.0.0-rc.1+build.7") == "v3-0-0-rc-1-build-7"
    long = endpoint_name("a-very-long-model-name-for-testing", "production")
    assert len(long) <= 32 and long == endpoint_name("a-very-long-model-name-for-testing", "production")
    assert "--" not in long and long[0].isalpha()


@pytest.mark.parametrize("framework", SCORING_FRAMEWORKS)
def test_scoring_scripts_parse(framework: str) -> None:
    for text in (
        score_py("m", "1.0.0", framework, ["a", "b"], capture=True),
        batch_score_py("m", "1.0.0", framework, []),
    ):
        tree = ast.parse(text)
        functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert {"init", "run", "_load", "_predict", "_frame"} <= functions


def _module(text: str, name: str, tmp_path: Path) -> Any:
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_sklearn_score_py_serves_a_tiny_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed in this venv")
    linear = pytest.importorskip("sklearn.linear_model", reason="scikit-learn is not installed in this venv")
    joblib = pytest.importorskip("joblib")
    # fitted on named features, as a real training job does: scikit-learn then checks that score.py passes
    # the columns by name and in the signature's order (a mismatch raises, an unnamed frame warns)
    training = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], columns=["a", "b"])
    model = linear.LinearRegression().fit(training, [1.0, 2.0, 3.0])
    (tmp_path / "model").mkdir()
    joblib.dump(model, tmp_path / "model" / "model.joblib")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(tmp_path / "model"))
    score = _module(score_py("m", "1.0.0", "sklearn", ["a", "b"], capture=False), "azml_score", tmp_path)
    score.init()
    out = score.run(json.dumps({"input_data": [{"b": 1.0, "a": 0.0}, {"a": 1.0, "b": 1.0}]}))
    assert [round(p, 6) for p in out["predictions"]] == [2.0, 3.0]


def test_scoring_script_is_deterministic() -> None:
    first = score_py("m", "1.0.0", "xgboost", ["a"], capture=True)
    assert first == score_py("m", "1.0.0", "xgboost", ["a"], capture=True)
    assert copy.copy(first).startswith('"Online scoring for m 1.0.0 (xgboost)')
