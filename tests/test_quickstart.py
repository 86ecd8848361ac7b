"""The README's first command: the root mlops.yaml renders for every platform and environment, and
every file passes its vendor's validator; the KServe tree builds with kustomize."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from tests.golden_cases import TODAY
from tests.validators.k8s import kubectl, kustomize_build
from tests.validators.rendered import check_all

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "mlops.yaml"
PLATFORMS = ("kserve", "sagemaker", "vertex", "azureml")


def _emitted() -> Emitted:
    ir = run("mlops.yaml", SPEC.read_bytes(), Options(today=TODAY))
    errors = [d for d in ir.diagnostics if d.severity is Severity.ERROR]
    assert not errors, errors
    assert isinstance(ir, Emitted)
    return ir


def test_root_spec_renders_every_platform_in_every_environment() -> None:
    files = _emitted().files
    rendered = {(f.environment, f.platform) for f in files}
    # every platform, and the registry entry and model card (compiler/registry.py) beside them
    assert rendered == {(env, p) for env in ("staging", "production") for p in (*PLATFORMS, "registry")}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_root_spec_files_pass_vendor_validators(platform: str) -> None:
    files = [f for f in _emitted().files if f.platform == platform]
    assert files
    failures = check_all(files)
    assert not failures, failures


def test_env_kustomization_lists_only_kubernetes_and_builds(
    tmp_path: Path, cli_run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    cli_run(["compile", "mlops.yaml", "--out", str(tmp_path), "--target", "kserve"], expect=0)
    for env in ("staging", "production"):
        index = (tmp_path / env / "kustomization.yaml").read_text()
        assert "- fraud-detection/kserve" in index and "sagemaker" not in index
        if kubectl() is None:
            pytest.skip("kubectl is not installed")
        built = kustomize_build(tmp_path / env)
        assert "kind: InferenceService" in built and "kind: PrometheusRule" in built
