"""The core-kind validator is strict and offline; kustomize renders through kubectl when present."""

from __future__ import annotations

import copy
import socket
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.validators.k8s import K8S_VERSION, kubectl, kustomize_build, validate_core

CONFIG_MAP: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "fraud-detector-config", "namespace": "fraud", "labels": {"app": "fraud-detector"}},
    "data": {"threshold": "0.8"},
}

CRON_JOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "fraud-detector-drift", "namespace": "fraud"},
    "spec": {
        "schedule": "0 3 * * *",
        "concurrencyPolicy": "Forbid",
        "successfulJobsHistoryLimit": 3,
        "jobTemplate": {
            "spec": {
                "backoffLimit": 2,
                "template": {
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "serviceAccountName": "fraud-isvc",
                        "containers": [
                            {
                                "name": "drift",
                                "image": "ghcr.io/acme/drift:1.4.0",
                                "args": ["--model", "fraud-detector"],
                                "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}},
                            }
                        ],
                    }
                },
            }
        },
    },
}


def _container(doc: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    return container


def test_version_is_pinned() -> None:
    assert K8S_VERSION == "1.33.0"


@pytest.mark.parametrize("doc", [CONFIG_MAP, CRON_JOB], ids=["ConfigMap", "CronJob"])
def test_valid_core_manifests_pass(doc: dict[str, Any]) -> None:
    assert validate_core(doc) == []


def test_unknown_fields_fail() -> None:
    config_map = copy.deepcopy(CONFIG_MAP)
    config_map["metadata"]["label"] = {"app": "x"}
    assert validate_core(config_map) == ["metadata: Additional properties are not allowed ('label' was unexpected)"]

    cron_job = copy.deepcopy(CRON_JOB)
    _container(cron_job)["imagePullPolcy"] = "Always"
    (problem,) = validate_core(cron_job)
    assert problem.startswith("spec.jobTemplate.spec.template.spec.containers.0: ")
    assert "'imagePullPolcy' was unexpected" in problem


def test_wrong_types_fail() -> None:
    config_map = copy.deepcopy(CONFIG_MAP)
    config_map["data"]["threshold"] = 0.8
    assert validate_core(config_map) == ["data.threshold: 0.8 is not of type 'string', 'null'"]

    cron_job = copy.deepcopy(CRON_JOB)
    cron_job["spec"]["successfulJobsHistoryLimit"] = "3"
    (problem,) = validate_core(cron_job)
    assert problem.startswith("spec.successfulJobsHistoryLimit: '3' is not of type 'integer'")


def test_custom_resource_is_refused_not_passed() -> None:
    with pytest.raises(ValueError, match="Couldn't find schema for kind InferenceService"):
        validate_core({"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService"})


def test_offline_and_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("kubernetes-validate tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert validate_core(CRON_JOB) == []
        assert validate_core({**CONFIG_MAP, "extra": 1}) != []
    assert [str(w.message) for w in caught] == []


def test_import_emits_no_warning() -> None:
    code = "import kubernetes_validate, tests.validators.k8s"
    repo = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, cwd=repo)


def test_kustomize_build(tmp_path: Path) -> None:
    if kubectl() is None:
        pytest.skip("kubectl is not on PATH")
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump({"namePrefix": "prod-", "resources": ["config-map.yaml"]}), encoding="utf-8"
    )
    (tmp_path / "config-map.yaml").write_text(yaml.safe_dump(CONFIG_MAP), encoding="utf-8")
    (rendered,) = list(yaml.safe_load_all(kustomize_build(tmp_path)))
    assert rendered["metadata"]["name"] == "prod-fraud-detector-config"
    assert validate_core(rendered) == []


def test_kustomize_build_reports_kubectl_errors(tmp_path: Path) -> None:
    if kubectl() is None:
        pytest.skip("kubectl is not on PATH")
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"kubectl kustomize .* failed"):
        kustomize_build(tmp_path)
