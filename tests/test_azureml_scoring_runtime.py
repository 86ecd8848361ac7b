"""The rendered Azure ML score.py, really run: it collects what it is configured to collect, reads its
secrets, and refuses to start (init raises) when a collector or a secret cannot be had.

Each case compiles a spec, writes the rendered ``score/`` folder, makes a small scikit-learn model in
``AZUREML_MODEL_DIR`` and runs ``init()`` and ``run()`` in a child interpreter whose ``sys.path`` starts
with the test-side fakes of azureml-ai-monitoring, azure-identity and azure-keyvault-secrets
(tests/fakes/site/); without the fakes, the child sees what the curated environment lacks.
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

pd = pytest.importorskip("pandas", reason="pandas is part of the test extras")
linear = pytest.importorskip("sklearn.linear_model", reason="scikit-learn is part of the test extras")
joblib = pytest.importorskip("joblib")

FAKES = Path(__file__).parent / "fakes" / "site"
BASE = ROOT / "golden" / "azureml-monitoring" / "mlops.yaml"  # sklearn, capture at 25%, drift
VAULT = "https://loan-kv.vault.azure.net"

DRIVER = textwrap.dedent(
    """
    import importlib.util, json, sys
    fakes, script, payload = sys.argv[1:4]
    if fakes:
        sys.path.insert(0, fakes)
    spec = importlib.util.spec_from_file_location("score", script)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    try:
        score.init()
    except Exception as exc:
        print(json.dumps({"init_error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(0)
    import os
    print(json.dumps({"result": score.run(payload), "secret": os.environ.get("SCORING_API_KEY")}))
    """
)


def _spec(*, secret: bool, capture: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    if not capture:
        doc.pop("monitoring")
    if secret:
        doc["serving"]["env"] = {"SCORING_API_KEY": {"secret": "scoring-api-key"}}
        doc["secrets"] = {"scoring-api-key": {"azureml": f"{VAULT}/secrets/scoring-api-key"}}
    return doc


def _rendered(doc: dict[str, Any]) -> dict[str, str]:
    result = run(
        "mlops.yaml", yaml.safe_dump(doc, sort_keys=False).encode(), Options(targets=("azureml",), today=TODAY)
    )
    assert isinstance(result, Emitted), [d.message for d in result.diagnostics]
    return {f.path.split("/azureml/", 1)[1]: f.content for f in result.files if "/azureml/" in f.path}


def _serve(
    tmp_path: Path, files: dict[str, str], *, fakes: bool, env: dict[str, str], vault: dict[str, str] | None = None
) -> dict[str, Any]:
    (tmp_path / "score").mkdir()
    script = tmp_path / "score" / "score.py"
    script.write_text(files["score/score.py"], encoding="utf-8")
    model_dir = tmp_path / "model" / "loan-default" / "4"
    model_dir.mkdir(parents=True)
    frame = pd.DataFrame(
        [[50_000.0, 0.2, 3], [20_000.0, 0.6, 1], [90_000.0, 0.1, 10], [30_000.0, 0.5, 2]],
        columns=["income", "debt_ratio", "employment_years"],
    )
    joblib.dump(linear.LinearRegression().fit(frame, [0.1, 0.6, 0.05, 0.4]), model_dir / "model.joblib")
    (tmp_path / "keyvault.json").write_text(json.dumps(vault or {}), encoding="utf-8")
    child_env = {
        **{k: v for k, v in os.environ.items() if not k.endswith("_SECRET_URL")},
        "AZUREML_MODEL_DIR": str(tmp_path / "model"),
        "FAKE_COLLECTOR_LOG": str(tmp_path / "collected.jsonl"),
        "FAKE_KEYVAULT": str(tmp_path / "keyvault.json"),
        **env,
    }
    payload = json.dumps({"input_data": [{"income": 40_000.0, "debt_ratio": 0.3, "employment_years": 4}]})
    out = subprocess.run(
        [sys.executable, "-c", DRIVER, str(FAKES) if fakes else "", str(script), payload],
        env=child_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    answer: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return answer


def _collected(tmp_path: Path) -> list[dict[str, Any]]:
    log = tmp_path / "collected.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def _deployment_env(files: dict[str, str]) -> dict[str, str]:
    (name,) = [n for n in files if n.startswith("deployment-")]
    env: dict[str, str] = yaml.safe_load(files[name]).get("environment_variables", {})
    return env


def test_capture_collects_inputs_and_outputs(tmp_path: Path) -> None:
    files = _rendered(_spec(secret=False))
    answer = _serve(tmp_path, files, fakes=True, env=_deployment_env(files))
    assert "init_error" not in answer, answer
    (prediction,) = answer["result"]["predictions"]
    inputs, outputs = _collected(tmp_path)
    assert inputs["name"] == "model_inputs"
    assert inputs["rows"] == [{"income": 40_000.0, "debt_ratio": 0.3, "employment_years": 4}]
    assert outputs["name"] == "model_outputs" and outputs["rows"] == [{"prediction": prediction}]
    assert outputs["context"] == {"id": "model_inputs-1"}  # outputs joined to their inputs


def test_capture_without_the_collector_package_stops_init(tmp_path: Path) -> None:
    """The curated image without environment/Dockerfile's packages: init must fail, not serve uncollected."""
    files = _rendered(_spec(secret=False))
    answer = _serve(tmp_path, files, fakes=False, env=_deployment_env(files))
    assert answer == {
        "init_error": "RuntimeError: data collection is configured but azureml-ai-monitoring is not installed"
    }
    assert _collected(tmp_path) == []


def test_secret_is_read_from_key_vault_into_the_variable(tmp_path: Path) -> None:
    files = _rendered(_spec(secret=True))
    env = _deployment_env(files)
    assert env["SCORING_API_KEY_SECRET_URL"] == f"{VAULT}/secrets/scoring-api-key"
    answer = _serve(tmp_path, files, fakes=True, env=env, vault={f"{VAULT}/secrets/scoring-api-key": "s3cr3t-value"})
    assert "init_error" not in answer, answer
    assert answer["secret"] == "s3cr3t-value"


@pytest.mark.parametrize(
    ("case", "fakes", "vault", "drop_url", "expected"),
    [
        ("secret missing in the vault", True, {}, False, "ResourceNotFoundError: (SecretNotFound)"),
        ("secret URL not set", True, None, True, "RuntimeError: secret URL not set: SCORING_API_KEY_SECRET_URL"),
        ("no Key Vault client", False, None, False, "RuntimeError: azure-identity and azure-keyvault-secrets"),
    ],
)
def test_a_secret_that_cannot_be_had_stops_init(
    tmp_path: Path, case: str, fakes: bool, vault: dict[str, str] | None, drop_url: bool, expected: str
) -> None:
    files = _rendered(_spec(secret=True, capture=False))
    env = _deployment_env(files)
    if drop_url:
        env.pop("SCORING_API_KEY_SECRET_URL")
    answer = _serve(tmp_path, files, fakes=fakes, env=env, vault=vault)
    assert "init_error" in answer, case
    assert answer["init_error"].startswith(expected), answer


def test_the_environment_adds_exactly_what_the_script_imports() -> None:
    both = _rendered(_spec(secret=True))
    assert both["environment/Dockerfile"].splitlines()[-2:] == [
        "FROM mcr.microsoft.com/azureml/curated/sklearn-1.5:54",
        "RUN pip install --no-cache-dir azureml-ai-monitoring==1.0.0 azure-identity==1.27.0 "
        "azure-keyvault-secrets==4.12.0",
    ]
    (deployment,) = [yaml.safe_load(t) for n, t in both.items() if n.startswith("deployment-")]
    assert deployment["environment"] == {"build": {"path": "./environment"}}
    secrets_only = _rendered(_spec(secret=True, capture=False))
    assert (
        secrets_only["environment/Dockerfile"]
        .splitlines()[-1]
        .endswith("azure-identity==1.27.0 azure-keyvault-secrets==4.12.0")
    )
    plain = _rendered(_spec(secret=False, capture=False))
    assert "environment/Dockerfile" not in plain
    (deployment,) = [yaml.safe_load(t) for n, t in plain.items() if n.startswith("deployment-")]
    assert deployment["environment"] == "azureml://registries/azureml/environments/sklearn-1.5/versions/54"


def test_a_conda_built_environment_lists_what_the_script_imports() -> None:
    """A version no curated environment pins is built from a conda file (runtime catalog): no Dockerfile,
    and the tree model finds the collector and the Key Vault client in the file's pip list."""
    from tests.validators.azureml import check_tree

    doc = _spec(secret=True)
    doc["model"]["framework"]["version"] = "1.4"
    files = _rendered(doc)
    assert "environment/Dockerfile" not in files
    (deployment,) = [yaml.safe_load(t) for n, t in files.items() if n.startswith("deployment-")]
    assert set(deployment["environment"]) == {"image", "conda_file"}
    assert check_tree(files) == []
    conda = yaml.safe_load(files[deployment["environment"]["conda_file"].removeprefix("./")])
    (pip,) = [d["pip"] for d in conda["dependencies"] if isinstance(d, dict)]
    assert {"azureml-ai-monitoring", "azure-identity", "azure-keyvault-secrets"} <= set(pip)
    broken = dict(files)
    broken[deployment["environment"]["conda_file"].removeprefix("./")] = files[
        deployment["environment"]["conda_file"].removeprefix("./")
    ].replace("  - azureml-ai-monitoring\n", "")
    assert any("lacks azureml-ai-monitoring" in p for p in check_tree(broken))
