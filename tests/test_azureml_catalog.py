"""The Azure ML catalog: SKU choice, curated environments and drift metric names.

The SKU table is checked for internal consistency and for the choices the target relies on; the
drift metric names and the spec's vocabulary are checked against their real sources (the
azure-ai-ml monitor schema and the reference mlops.yaml in ../shared, skipped when absent).
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from mlopsc.targets.azureml import catalog
from mlopsc.targets.azureml.catalog import CatalogError, pick_sku
from tests.validators.azureml import quiet_marshmallow

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
REFERENCE_SPEC = SHARED / "spec" / "mlops.reference.yaml"

# --------------------------------------------------------------------------------------------
# SKUs
# --------------------------------------------------------------------------------------------


def test_sku_table_matches_the_published_list() -> None:
    # 85 rows on the "Managed online endpoints SKU list" page: 59 CPU sizes, 26 GPU sizes.
    assert len(catalog.SKUS) == 85
    assert sum(not s.is_gpu for s in catalog.SKUS) == 59
    names = [s.name.lower() for s in catalog.SKUS]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("sku", catalog.SKUS, ids=lambda s: s.name)
def test_sku_rows_are_consistent(sku: catalog.Sku) -> None:
    assert re.match(r"^Standard_[A-Z]+\d+[a-z]*(_[A-Za-z0-9]+)*$", sku.name)
    if sku.family != "DSv2":  # DS1..DS5 are size steps; every other name carries its vCPU count
        assert str(sku.vcpus) in sku.name
    assert 2 <= sku.memory_gib / sku.vcpus <= 25
    assert (sku.gpu_model is None) == (not sku.is_gpu)
    if sku.retired is not None:
        assert re.match(r"^\d{4}-\d{2}-\d{2}$", sku.retired)


@pytest.mark.parametrize(
    ("cpu", "memory_gb", "gpu", "expected"),
    [
        (1, 2, 0, "Standard_DS1_v2"),
        (2, 4, 0, "Standard_F2s_v2"),
        (2, 5, 0, "Standard_DS2_v2"),
        (4, 16, 0, "Standard_D4as_v4"),
        (0.5, 30, 0, "Standard_E4s_v3"),
        (64, 500, 0, "Standard_L64as_v3"),
        (2, 4, 1, "Standard_NC4as_T4_v3"),
        (8, 64, 1, "Standard_NC16as_T4_v3"),
        (2, 4, 2, "Standard_NC48ads_A100_v4"),
        (2, 4, 4, "Standard_NC64as_T4_v3"),
        (2, 4, 8, "Standard_ND40rs_v2"),
        (48, 1000, 8, "Standard_ND96amsr_A100_v4"),
    ],
)
def test_pick_sku_takes_the_smallest_fit(cpu: float, memory_gb: float, gpu: int, expected: str) -> None:
    assert pick_sku(cpu, memory_gb, gpu) == expected


def test_pick_sku_never_returns_a_retired_or_fractional_size() -> None:
    for gpu in range(9):
        for cpu in (1, 6, 12, 24, 40, 96):
            for memory in (1, 100, 400, 900):
                try:
                    chosen = catalog.sku(pick_sku(cpu, memory, gpu))
                except CatalogError:
                    continue
                assert chosen.retired is None
                assert chosen.gpus == gpu
                assert chosen.vcpus >= cpu
                assert chosen.memory_gib >= memory


def test_gpu_count_must_exist() -> None:
    with pytest.raises(CatalogError, match="exactly 3 GPUs; available GPU counts: 1, 2, 4, 8") as info:
        pick_sku(2, 4, 3)
    assert "Standard_NC64as_T4_v3" in info.value.alternatives
    assert "Standard_NC6s_v3" not in info.value.alternatives  # retired


def test_too_large_a_request_names_the_largest_size() -> None:
    with pytest.raises(CatalogError, match=r"no CPU SKU has 200 vCPU.*Standard_D96as_v4 \(96 vCPU, 384 GiB\)") as info:
        pick_sku(200, 4, 0)
    assert info.value.alternatives[0] == "Standard_DS1_v2"
    with pytest.raises(CatalogError, match="no 1-GPU SKU has 8 vCPU and 2000 GiB"):
        pick_sku(8, 2000, 1)


@pytest.mark.parametrize(("cpu", "memory_gb", "gpu"), [(0, 4, 0), (2, 0, 0), (2, 4, -1)])
def test_pick_sku_rejects_impossible_requests(cpu: float, memory_gb: float, gpu: int) -> None:
    with pytest.raises(CatalogError):
        pick_sku(cpu, memory_gb, gpu)


def test_sku_lookup() -> None:
    assert catalog.sku("STANDARD_F4S_V2").name == "Standard_F4s_v2"
    assert catalog.sku("Standard_NV6ads_A10_v5").gpus == Fraction(1, 6)
    with pytest.raises(CatalogError, match="retired on 2025-09-30") as retired:
        catalog.sku("Standard_NC6s_v3")
    assert retired.value.alternatives[0] == "Standard_NC8as_T4_v3"
    with pytest.raises(CatalogError, match="not a VM size") as unknown:
        catalog.sku("Standard_D4s_v5")
    assert "Standard_DS4_v2" in unknown.value.alternatives or "Standard_D4as_v4" in unknown.value.alternatives


# --------------------------------------------------------------------------------------------
# Curated environments
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("framework", "version", "expected"),
    [
        ("sklearn", "1.5", "azureml://registries/azureml/environments/sklearn-1.5/versions/54"),
        ("sklearn", "1.5.2", "azureml://registries/azureml/environments/sklearn-1.5/versions/54"),
        ("xgboost", "1.7", "azureml://registries/azureml/environments/lightgbm-3.3/versions/76"),
        ("lightgbm", "4.6.0", "azureml://registries/azureml/environments/lightgbm-3.3/versions/76"),
        # both ACPT environments are built on torch 2.8 today (their Dockerfiles' FROM ...-torch280): a 2.2
        # model gets the nearest newer 2.x (compatibility `minor`), the newest environment of the two
        ("tensorflow", "2.16", "azureml://registries/azureml/environments/tensorflow-2.16-cuda12/labels/latest"),
    ],
)
def test_inference_environment(framework: str, version: str, expected: str) -> None:
    assert catalog.inference_environment(framework, version) == expected


@pytest.mark.parametrize("framework", ["pytorch", "huggingface"])
def test_acpt_images_are_not_serving_environments(framework: str) -> None:
    """The ACPT images carry torch (and transformers) but not pandas, which score.py imports: not chosen."""
    with pytest.raises(catalog.CatalogError, match="record no pandas"):
        catalog.curated_environment(framework, "2.2" if framework == "pytorch" else "5.0")


def test_unpinned_environments_say_so() -> None:
    env = catalog.curated_environment("tensorflow", "2.16")
    assert not env.pinned
    assert env.image == "mcr.microsoft.com/azureml/curated/tensorflow-2.16-cuda12:latest"
    assert catalog.curated_environment("sklearn", "1.5").pinned


@pytest.mark.parametrize("framework", sorted(catalog.frameworks_without_environment()))
def test_frameworks_without_environment_need_an_image(framework: str) -> None:
    with pytest.raises(CatalogError, match=r"set serving\.image_mirrors\.azureml"):
        catalog.inference_environment(framework, "1.0")


def test_unserved_version_lists_the_served_ones() -> None:
    with pytest.raises(
        CatalogError, match=r"no curated environment for sklearn 0\.24; curated versions: 1\.0, 1\.1, 1\.5"
    ) as info:
        catalog.inference_environment("sklearn", "0.24")
    assert info.value.alternatives == ("1.0", "1.1", "1.5")
    with pytest.raises(CatalogError, match="unknown framework 'mxnet'"):
        catalog.inference_environment("mxnet", "1.9")


def test_every_spec_framework_is_covered() -> None:
    served = {env.framework for env in catalog.curated_environments()}
    assert served | catalog.frameworks_without_environment() == set(catalog.SPEC_FRAMEWORKS)
    assert not served & catalog.frameworks_without_environment()
    assert catalog.frameworks_without_environment() == {"onnx", "custom"}


def _reference_vocabulary(key: str) -> list[str]:
    """The ``a|b|c`` comment after ``key:`` in the reference mlops.yaml."""
    if not REFERENCE_SPEC.exists():
        pytest.skip(f"{REFERENCE_SPEC} is absent (it lives in ../shared, outside a fresh clone)")
    for line in REFERENCE_SPEC.read_text().splitlines():
        if re.match(rf"^\s*{re.escape(key)}:", line) and "#" in line:
            return line.split("#", 1)[1].split()[0].split("|")
    raise AssertionError(f"{key} not found in {REFERENCE_SPEC}")


def test_frameworks_match_the_spec_vocabulary() -> None:
    assert _reference_vocabulary("framework") == list(catalog.SPEC_FRAMEWORKS)


def test_drift_methods_match_the_spec_vocabulary() -> None:
    assert sorted(_reference_vocabulary("method")) == sorted(catalog.DRIFT_METHODS)


# --------------------------------------------------------------------------------------------
# Drift metrics
# --------------------------------------------------------------------------------------------


def test_drift_metric_names_are_the_cli_schema_names() -> None:
    with quiet_marshmallow():  # azure-ai-ml's import warns; only here, it is slow
        from azure.ai.ml._schema.monitoring.thresholds import (
            CategoricalDriftMetricsSchema,
            NumericalDriftMetricsSchema,
        )

    assert set(catalog.NUMERICAL_DRIFT_METRICS) == set(NumericalDriftMetricsSchema._declared_fields)
    assert set(catalog.CATEGORICAL_DRIFT_METRICS) == set(CategoricalDriftMetricsSchema._declared_fields)
    for numerical, categorical in catalog.DRIFT_METHODS.values():
        assert numerical is None or numerical in catalog.NUMERICAL_DRIFT_METRICS
        assert categorical is None or categorical in catalog.CATEGORICAL_DRIFT_METRICS
