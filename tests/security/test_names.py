"""E116: a cloud resource name rendered by two model/environment pairs is a positioned error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.security.specs import online

Run = Callable[..., Result]


def _write(root: Path, folder: str, text: str) -> None:
    (root / folder).mkdir()
    (root / folder / "mlops.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("platform", ["vertex", "azureml", "sagemaker"])
def test_two_specs_one_resource_name(
    tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a", online("fraud-detection", ("prod-eu",), platform))
    _write(tmp_path, "b", online("fraud-detection-prod", ("eu",), platform))
    result = cli_run(["compile", ".", "--out", "out"], expect=1)
    assert "b/mlops.yaml:4:9: error[E116]" in result.stderr, result.stderr
    assert "`fraud-detection-prod-eu`" in result.stderr and "of a/mlops.yaml" in result.stderr
    assert not Path("out").exists()


def test_two_environments_of_one_spec_on_azure(tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Azure squashes `--` to `-` in endpoint names (targets/azureml/naming.py): prod-eu and prod--eu meet."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a", online("fraud-detection", ("prod-eu", "prod--eu"), "azureml"))
    result = cli_run(["compile", ".", "--out", "out"], expect=1)
    assert "a/mlops.yaml:4:9: error[E116]" in result.stderr and "of this spec" in result.stderr, result.stderr
    assert "azureml resources `fraud-detection-prod-eu`" in result.stderr


@pytest.mark.parametrize("platform", ["vertex", "sagemaker"])
def test_double_dash_is_another_name_elsewhere(
    tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a", online("fraud-detection", ("prod-eu", "prod--eu"), platform))
    result = cli_run(["compile", ".", "--out", "out"], expect=None)
    assert "E116" not in result.output


def test_kserve_names_carry_no_environment(tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a", online("fraud-detection", ("prod-eu",), "kserve"))
    _write(tmp_path, "b", online("fraud-detection-prod", ("eu",), "kserve"))
    result = cli_run(["compile", ".", "--out", "out"], expect=0)
    assert "E116" not in result.output


def test_distinct_names_compile(tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a", online("fraud-detection", ("prod-eu", "staging"), "vertex"))
    _write(tmp_path, "b", online("churn", ("prod-eu",), "vertex"))
    cli_run(["compile", ".", "--out", "out"], expect=0)


def test_worker_processes_give_the_same_e116(tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a", online("fraud-detection", ("prod-eu",), "vertex"))
    _write(tmp_path, "b", online("fraud-detection-prod", ("eu",), "vertex"))
    _write(tmp_path, "c", online("churn", ("eu",), "vertex"))
    one = cli_run(["compile", ".", "--out", "out", "--jobs", "1"], expect=1)
    two = cli_run(["compile", ".", "--out", "out", "--jobs", "2"], expect=1)
    assert one.stderr == two.stderr and one.stderr.count("error[E116]") == 1
