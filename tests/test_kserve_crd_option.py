"""`--kserve-crd`: users validate rendered KServe resources against their own cluster's CRDs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from tests.bad_inputs import BASE
from tests.conftest import shared_path


def test_rendered_kserve_passes_the_shipped_crd(
    tmp_path: Path, cli_run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    crds = shared_path("schemas", "kserve-v0.20.0")
    monkeypatch.chdir(tmp_path)
    Path("mlops.yaml").write_text(BASE, encoding="utf-8")
    cli_run(["compile", "mlops.yaml", "--out", "out", "--kserve-crd", str(crds)], expect=0)


def test_a_cluster_crd_without_a_field_we_emit_fails_at_compile_time(
    tmp_path: Path, cli_run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = shared_path("schemas", "kserve-v0.20.0", "serving.kserve.io_inferenceservices.yaml")
    crd = yaml.safe_load(source.read_text(encoding="utf-8"))
    for version in crd["spec"]["versions"]:  # an older cluster: its predictor has no `logger`
        version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["predictor"]["properties"].pop(
            "logger", None
        )
    old = tmp_path / "old-crd.yaml"
    old.write_text(yaml.safe_dump(crd), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    Path("mlops.yaml").write_text(BASE, encoding="utf-8")
    result = cli_run(["compile", "mlops.yaml", "--out", "out", "--kserve-crd", str(old)], expect=1)
    assert "error[KSV900]" in result.stderr and "logger" in result.stderr
    assert not Path("out").exists()
