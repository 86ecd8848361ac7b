"""The Vertex AI catalog: prebuilt images, machine choice, accelerator names and drift measures."""

from __future__ import annotations

import re

import pytest

from mlopsc.targets.vertex.catalog import (
    ACCELERATORS,
    DEFAULT_ACCELERATOR,
    DRIFT_MEASURES,
    MACHINE_TYPES,
    CatalogError,
    MachineChoice,
    drift_measure,
    image_multi_region,
    pick_machine,
    prebuilt_frameworks,
    prediction_image,
    resolve_accelerator,
)

IMAGE = re.compile(
    r"^(us|europe|asia)-docker\.pkg\.dev/vertex-ai/prediction/"
    r"(sklearn|xgboost|tf|tf2|pytorch)-(cpu|gpu)\.[0-9]+-[0-9]+:latest$"
)


@pytest.mark.parametrize(
    ("framework", "version", "region", "gpu", "expected"),
    [
        ("xgboost", "1.7", "us-central1", False, "us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest"),
        (
            "sklearn",
            "1.3.2",
            "europe-west4",
            False,
            "europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest",
        ),
        ("tensorflow", "2.15", "asia-east1", True, "asia-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-15:latest"),
        ("tensorflow", "1.15", "us-east4", False, "us-docker.pkg.dev/vertex-ai/prediction/tf-cpu.1-15:latest"),
        (
            "pytorch",
            "2.4.1",
            "australia-southeast1",
            True,
            "asia-docker.pkg.dev/vertex-ai/prediction/pytorch-gpu.2-4:latest",
        ),
        ("xgboost", "0.90", "me-west1", False, "europe-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.0-90:latest"),
    ],
)
def test_prediction_image(framework: str, version: str, region: str, gpu: bool, expected: str) -> None:
    assert prediction_image(framework, version, region, gpu) == expected


def test_every_listed_version_resolves_to_a_well_formed_uri() -> None:
    for name, spec in prebuilt_frameworks().items():
        for gpu, versions in ((False, spec.cpu_versions), (True, spec.gpu_versions)):
            for version in versions:
                uri = prediction_image(name, version, "us-central1", gpu)
                assert IMAGE.match(uri) or HF_IMAGE.match(uri), uri


HF_IMAGE = re.compile(
    r"^us-docker\.pkg\.dev/deeplearning-platform-release/gcr\.io/huggingface-pytorch-inference-"
    r"(cpu|cu[0-9]+)\.[0-9]+-[0-9]+\.transformers\.[0-9]+-[0-9]+\.ubuntu[0-9]+\.py[0-9]+:latest$"
)


def test_huggingface_uses_googles_hugging_face_container() -> None:
    # transformers 4.44 folders load in the nearest newer 4.x container (compatibility `minor`)
    assert prediction_image("huggingface", "4.44", "europe-west4", True) == (
        "us-docker.pkg.dev/deeplearning-platform-release/gcr.io/"
        "huggingface-pytorch-inference-cu121.2-3.transformers.4-48.ubuntu2204.py311:latest"
    )


@pytest.mark.parametrize("framework", ["lightgbm", "onnx", "custom"])
def test_frameworks_without_a_prebuilt_image_need_serving_image(framework: str) -> None:
    with pytest.raises(CatalogError, match=r"serving\.image_mirrors\.vertex") as caught:
        prediction_image(framework, "1.0", "us-central1", False)
    assert caught.value.alternatives == ("huggingface", "pytorch", "sklearn", "tensorflow", "xgboost")


def test_unknown_versions_and_cpu_only_frameworks_list_what_exists() -> None:
    with pytest.raises(CatalogError, match=r"xgboost 1\.8") as caught:
        prediction_image("xgboost", "1.8", "us-central1", False)
    assert "1.7" in caught.value.alternatives
    with pytest.raises(CatalogError, match="no GPU prediction image for sklearn") as caught:
        prediction_image("sklearn", "1.3", "us-central1", True)
    assert caught.value.alternatives == ("huggingface", "pytorch", "tensorflow")
    with pytest.raises(CatalogError, match=r"major\.minor"):
        prediction_image("sklearn", "latest", "us-central1", False)


def test_regions_map_to_an_image_multi_region() -> None:
    assert image_multi_region("us-central1") == "us"
    assert image_multi_region("northamerica-northeast1") == "us"
    assert image_multi_region("europe-west4") == "europe"
    assert image_multi_region("asia-southeast1") == "asia"
    for bad in ("eastus", "mars-north1", "us-central"):
        with pytest.raises(CatalogError, match="region"):
            image_multi_region(bad)


@pytest.mark.parametrize(
    ("cpu", "memory_gb", "gpu", "accelerator", "expected"),
    [
        (2, 4, 0, None, MachineChoice("n1-standard-2", None, 0)),
        (4, 4, 0, None, MachineChoice("e2-highcpu-4", None, 0)),
        (4, 20, 0, None, MachineChoice("n1-highmem-4", None, 0)),
        (0.5, 1, 0, None, MachineChoice("e2-highcpu-2", None, 0)),
        (40, 160, 0, None, MachineChoice("n2-standard-48", None, 0)),
        (2, 4, 1, None, MachineChoice("n1-standard-2", "NVIDIA_TESLA_T4", 1)),
        (8, 30, 2, "nvidia-tesla-t4", MachineChoice("n1-standard-8", "NVIDIA_TESLA_T4", 2)),
        (4, 16, 1, "nvidia-l4", MachineChoice("g2-standard-4", "NVIDIA_L4", 1)),
        (12, 40, 1, "NVIDIA_L4", MachineChoice("g2-standard-12", "NVIDIA_L4", 1)),
        (8, 64, 2, "l4", MachineChoice("g2-standard-24", "NVIDIA_L4", 2)),
        (8, 60, 1, "nvidia-a100", MachineChoice("a2-highgpu-1g", "NVIDIA_TESLA_A100", 1)),
        (8, 60, 1, "nvidia-a100-80gb", MachineChoice("a2-ultragpu-1g", "NVIDIA_A100_80GB", 1)),
        (8, 30, 1, "v100", MachineChoice("n1-standard-8", "NVIDIA_TESLA_V100", 1)),
    ],
)
def test_pick_machine(cpu: float, memory_gb: float, gpu: int, accelerator: str | None, expected: MachineChoice) -> None:
    assert pick_machine(cpu, memory_gb, gpu, accelerator) == expected


def test_an_unknown_gpu_type_lists_the_valid_ones() -> None:
    with pytest.raises(CatalogError, match="unknown GPU type 'nvidia-foo'") as caught:
        pick_machine(2, 4, 1, "nvidia-foo")
    assert caught.value.alternatives == tuple(ACCELERATORS)
    assert "NVIDIA_L4" in str(caught.value)


def test_impossible_requests_say_what_would_work() -> None:
    with pytest.raises(CatalogError, match="GPU count") as caught:
        pick_machine(4, 16, 3, "nvidia-l4")
    assert caught.value.alternatives == ("1", "2", "4", "8")
    with pytest.raises(CatalogError, match="counts") as caught:
        pick_machine(4, 16, 3, "nvidia-tesla-t4")
    assert caught.value.alternatives == ("1", "2", "4")
    with pytest.raises(CatalogError, match="no N1 machine takes 1 x NVIDIA_TESLA_V100"):
        pick_machine(16, 30, 1, "nvidia-tesla-v100")  # one V100 allows at most 12 vCPUs
    with pytest.raises(CatalogError, match="no CPU machine type"):
        pick_machine(128, 8, 0, None)
    with pytest.raises(CatalogError, match="without a GPU count"):
        pick_machine(2, 4, 0, "nvidia-l4")
    with pytest.raises(CatalogError, match="positive"):
        pick_machine(0, 4, 0, None)


def test_accelerator_names_are_api_enum_values() -> None:
    assert resolve_accelerator(None) == DEFAULT_ACCELERATOR == "NVIDIA_TESLA_T4"
    assert resolve_accelerator("T4") == "NVIDIA_TESLA_T4"
    assert resolve_accelerator("nvidia_l4") == "NVIDIA_L4"
    for machine in MACHINE_TYPES.values():
        assert machine.accelerator is None or machine.accelerator in ACCELERATORS
        assert (machine.accelerator is None) == (machine.accelerator_count == 0)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_catalog_names_match_the_installed_api_types() -> None:
    """Every accelerator name is an ``AcceleratorType`` value of the installed Vertex AI client."""
    types = pytest.importorskip("google.cloud.aiplatform_v1.types")
    names = {value.name for value in types.AcceleratorType}
    assert set(ACCELERATORS) <= names


def test_drift_measures() -> None:
    assert drift_measure("double").measure == "jensen-shannon divergence"
    assert drift_measure("integer").feature_kind == "numerical"
    assert drift_measure("string").measure == "l-infinity distance"
    assert drift_measure("boolean").feature_kind == "categorical"
    assert all(measure.maximum == 1.0 for measure in DRIFT_MEASURES.values())
    with pytest.raises(CatalogError, match="tensor"):
        drift_measure("tensor")
