"""Azure ML facts the target needs at compile time: instance SKUs, curated environments, drift metrics.

Pure data and small lookups, standard library only, so that importing the target never imports
azure-ai-ml. Every table names its public source; when Azure changes, the table changes here and
nowhere else.

- SKUs: "Managed online endpoints SKU list" (learn.microsoft.com/azure/machine-learning/
  reference-managed-online-endpoints-vm-sku-list; MicrosoftDocs/azure-ai-docs
  articles/machine-learning/reference-managed-online-endpoints-vm-sku-list.md) for the names, cores,
  GPU counts and the "skip 20% reservation" column; memory from the Azure VM size pages
  (MicrosoftDocs/azure-compute-docs articles/virtual-machines/sizes/...). Retired series are kept so
  that a rendered file naming one gets a precise error, but ``pick_sku`` never chooses them.
- Curated environments: targets/azureml/runtimes.json, rebuilt by targets/refresh_runtimes.py from
  Azure/azureml-assets (assets/*/environments/*: each environment's conda or pip dependencies); the
  prebuilt framework inference images of earlier years are no longer supported by Azure ML (only
  the minimal inference images are, see concept-prebuilt-docker-images-inference.md).
- Drift metrics: azure-ai-ml ``_schema/monitoring/thresholds.py`` (the names the CLI accepts) and
  reference-yaml-monitor.md.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Final

from mlopsc.compiler.ir import Json
from mlopsc.targets import runtimecatalog


class CatalogError(Exception):
    """A request the catalog cannot satisfy; ``alternatives`` lists what would have been valid."""

    def __init__(self, message: str, alternatives: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.alternatives = alternatives


# --------------------------------------------------------------------------------------------
# Managed online endpoint SKUs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sku:
    """One VM size that managed online deployments accept as ``instance_type``.

    ``gpus`` is a Fraction because the NVadsA10_v5 sizes get a slice of one A10 (1/6, 1/3, 1/2).
    ``skips_reservation`` is the SKU list's "Skip 20% Reservation" column: other SKUs need 20%
    more quota than ``instance_count`` asks for, to run upgrades.
    ``retired`` is the date Azure retired the series, or None while it is available.
    """

    name: str
    family: str
    vcpus: int
    memory_gib: float
    gpus: Fraction = Fraction(0)
    gpu_model: str | None = None
    skips_reservation: bool = False
    retired: str | None = None

    @property
    def is_gpu(self) -> bool:
        """True when the size carries a GPU or a slice of one."""
        return self.gpus > 0

    def describe(self) -> str:
        """Short human form used in error messages: ``Standard_F4s_v2 (4 vCPU, 8 GiB)``."""
        memory = f"{self.memory_gib:g} GiB"
        if not self.is_gpu:
            return f"{self.name} ({self.vcpus} vCPU, {memory})"
        return f"{self.name} ({self.vcpus} vCPU, {memory}, {self.gpus} x {self.gpu_model})"


def _cpu(name: str, family: str, vcpus: int, memory_gib: float) -> Sku:
    return Sku(name=name, family=family, vcpus=vcpus, memory_gib=memory_gib)


def _gpu(
    name: str,
    family: str,
    vcpus: int,
    memory_gib: float,
    *,
    gpus: Fraction | int,
    model: str,
    skips_reservation: bool = False,
    retired: str | None = None,
) -> Sku:
    return Sku(
        name=name,
        family=family,
        vcpus=vcpus,
        memory_gib=memory_gib,
        gpus=Fraction(gpus),
        gpu_model=model,
        skips_reservation=skips_reservation,
        retired=retired,
    )


# Order follows the SKU list page. Names use Azure's usual casing (the page prints them upper
# case; the service compares them case-insensitively).
SKUS: Final[tuple[Sku, ...]] = (
    # General purpose, AMD (Dasv4 / Dav4): 4 GiB per vCPU.
    *(_cpu(f"Standard_D{n}as_v4", "DASv4", n, 4.0 * n) for n in (2, 4, 8, 16, 32, 48, 64, 96)),
    *(_cpu(f"Standard_D{n}a_v4", "DAv4", n, 4.0 * n) for n in (2, 4, 8, 16, 32, 48, 64, 96)),
    # General purpose, Intel (DSv2): 3.5 GiB per vCPU.
    _cpu("Standard_DS1_v2", "DSv2", 1, 3.5),
    _cpu("Standard_DS2_v2", "DSv2", 2, 7.0),
    _cpu("Standard_DS3_v2", "DSv2", 4, 14.0),
    _cpu("Standard_DS4_v2", "DSv2", 8, 28.0),
    _cpu("Standard_DS5_v2", "DSv2", 16, 56.0),
    # Memory optimised (ESv3): 8 GiB per vCPU, E64s_v3 has 432 GiB.
    *(_cpu(f"Standard_E{n}s_v3", "ESv3", n, 8.0 * n) for n in (2, 4, 8, 16, 32, 48)),
    _cpu("Standard_E64s_v3", "ESv3", 64, 432.0),
    # Compute optimised (FSv2): 2 GiB per vCPU.
    *(_cpu(f"Standard_F{n}s_v2", "FSv2", n, 2.0 * n) for n in (2, 4, 8, 16, 32, 48, 64, 72)),
    # High frequency, memory heavy (FX mds): 21 GiB per vCPU.
    *(_cpu(f"Standard_FX{n}mds", "FXmds", n, 21.0 * n) for n in (4, 12, 24, 36, 48)),
    # Storage optimised (Lasv3, Lsv2, Lsv3): 8 GiB per vCPU.
    *(_cpu(f"Standard_L{n}as_v3", "LASv3", n, 8.0 * n) for n in (8, 16, 32, 48, 64, 80)),
    *(_cpu(f"Standard_L{n}s_v2", "LSv2", n, 8.0 * n) for n in (8, 16, 32, 48, 64, 80)),
    *(_cpu(f"Standard_L{n}s_v3", "LSv3", n, 8.0 * n) for n in (8, 16, 32, 48, 64, 80)),
    # GPU.
    _gpu("Standard_NC24ads_A100_v4", "NCADSA100v4", 24, 220.0, gpus=1, model="A100", skips_reservation=True),
    _gpu("Standard_NC48ads_A100_v4", "NCADSA100v4", 48, 440.0, gpus=2, model="A100", skips_reservation=True),
    _gpu("Standard_NC96ads_A100_v4", "NCADSA100v4", 96, 880.0, gpus=4, model="A100", skips_reservation=True),
    _gpu("Standard_NC4as_T4_v3", "NCASv3_T4", 4, 28.0, gpus=1, model="T4"),
    _gpu("Standard_NC8as_T4_v3", "NCASv3_T4", 8, 56.0, gpus=1, model="T4"),
    _gpu("Standard_NC16as_T4_v3", "NCASv3_T4", 16, 110.0, gpus=1, model="T4"),
    _gpu("Standard_NC64as_T4_v3", "NCASv3_T4", 64, 440.0, gpus=4, model="T4"),
    _gpu("Standard_NC6s_v2", "NCSv2", 6, 112.0, gpus=1, model="P100", retired="2023-09-06"),
    _gpu("Standard_NC12s_v2", "NCSv2", 12, 224.0, gpus=2, model="P100", retired="2023-09-06"),
    _gpu("Standard_NC24s_v2", "NCSv2", 24, 448.0, gpus=4, model="P100", retired="2023-09-06"),
    _gpu("Standard_NC6s_v3", "NCSv3", 6, 112.0, gpus=1, model="V100", retired="2025-09-30"),
    _gpu("Standard_NC12s_v3", "NCSv3", 12, 224.0, gpus=2, model="V100", retired="2025-09-30"),
    _gpu("Standard_NC24s_v3", "NCSv3", 24, 448.0, gpus=4, model="V100", retired="2025-09-30"),
    _gpu("Standard_NC40ads_H100_v5", "NCADSH100v5", 40, 320.0, gpus=1, model="H100", skips_reservation=True),
    _gpu("Standard_NC80adis_H100_v5", "NCADSH100v5", 80, 640.0, gpus=2, model="H100", skips_reservation=True),
    _gpu("Standard_ND96amsr_A100_v4", "NDAMSv4_A100", 96, 1900.0, gpus=8, model="A100", skips_reservation=True),
    _gpu("Standard_ND96asr_v4", "NDASv4_A100", 96, 900.0, gpus=8, model="A100", skips_reservation=True),
    _gpu("Standard_ND40rs_v2", "NDSv2", 40, 672.0, gpus=8, model="V100", skips_reservation=True),
    _gpu("Standard_ND96is_H100_v5", "NDv5H100", 96, 1900.0, gpus=8, model="H100", skips_reservation=True),
    _gpu("Standard_ND96isr_H100_v5", "NDv5H100", 96, 1900.0, gpus=8, model="H100", skips_reservation=True),
    _gpu("Standard_NV6ads_A10_v5", "NVADSA10v5", 6, 55.0, gpus=Fraction(1, 6), model="A10"),
    _gpu("Standard_NV12ads_A10_v5", "NVADSA10v5", 12, 110.0, gpus=Fraction(1, 3), model="A10"),
    _gpu("Standard_NV18ads_A10_v5", "NVADSA10v5", 18, 220.0, gpus=Fraction(1, 2), model="A10"),
    _gpu("Standard_NV36ads_A10_v5", "NVADSA10v5", 36, 440.0, gpus=1, model="A10"),
    _gpu("Standard_NV36adms_A10_v5", "NVADSA10v5", 36, 880.0, gpus=1, model="A10"),
    _gpu("Standard_NV72ads_A10_v5", "NVADSA10v5", 72, 880.0, gpus=2, model="A10"),
)

_BY_NAME: Final[Mapping[str, Sku]] = {sku.name.lower(): sku for sku in SKUS}

# Azure ML advises against the smallest sizes for anything but tiny models (containers killed for
# memory, disk or slow probes); the target may warn when it picks one.
SMALL_SKUS: Final[frozenset[str]] = frozenset({"Standard_DS1_v2", "Standard_F2s_v2"})


def sku(name: str) -> Sku:
    """Look a SKU up by name, case-insensitively; raise CatalogError for unknown or retired ones.

    The error's alternatives are the closest available names, for a "did you mean" hint.
    """
    found = _BY_NAME.get(name.lower())
    available = tuple(s.name for s in SKUS if s.retired is None)
    if found is None:
        close = tuple(difflib.get_close_matches(name, available, n=5, cutoff=0.6))
        raise CatalogError(
            f"{name!r} is not a VM size that Azure ML managed online endpoints accept", close or available
        )
    if found.retired is not None:
        same_gpus = tuple(s.name for s in _available(gpus=found.gpus) if s.vcpus >= found.vcpus)
        raise CatalogError(
            f"{found.name} ({found.family}) was retired on {found.retired}; choose a current size",
            same_gpus[:5],
        )
    return found


def _available(*, gpus: Fraction) -> list[Sku]:
    """Current SKUs with exactly ``gpus`` GPUs, cheapest shape first."""
    pool = [s for s in SKUS if s.retired is None and s.gpus == gpus]
    return sorted(pool, key=_size_order)


def _size_order(s: Sku) -> tuple[Fraction, int, float]:
    return (s.gpus, s.vcpus, s.memory_gib)


def pick_sku(cpu: float, memory_gb: float, gpu: int) -> str:
    """The smallest current SKU with at least ``cpu`` vCPUs, ``memory_gb`` GiB and exactly ``gpu`` GPUs.

    "Smallest" orders by vCPUs, then memory, then the SKU list's order, so the answer is stable.
    GPU counts must match exactly (a request for 3 GPUs is an error, not a silent 4) and a CPU
    request never lands on a GPU size. Fractional GPU sizes (NVadsA10_v5 slices) are only chosen by
    name, never picked. Raises CatalogError listing the sizes that would fit the GPU count.
    """
    if cpu <= 0 or memory_gb <= 0:
        raise CatalogError(f"cpu and memory_gb must be positive, got cpu={cpu}, memory_gb={memory_gb}")
    if gpu < 0:
        raise CatalogError(f"gpu must be 0 or more, got {gpu}")
    pool = _available(gpus=Fraction(gpu))
    if not pool:
        counts = sorted({s.gpus for s in SKUS if s.retired is None and s.gpus.denominator == 1 and s.gpus})
        raise CatalogError(
            f"no Azure ML managed online SKU has exactly {gpu} GPUs; available GPU counts: "
            + ", ".join(str(c) for c in counts),
            tuple(s.name for s in SKUS if s.retired is None and s.is_gpu and s.gpus.denominator == 1),
        )
    for candidate in pool:
        if candidate.vcpus >= cpu and candidate.memory_gib >= memory_gb:
            return candidate.name
    largest = max(pool, key=lambda s: (s.vcpus, s.memory_gib))
    kind = f"{gpu}-GPU" if gpu else "CPU"
    raise CatalogError(
        f"no {kind} SKU has {cpu:g} vCPU and {memory_gb:g} GiB; the largest is {largest.describe()}",
        tuple(s.name for s in pool),
    )


# --------------------------------------------------------------------------------------------
# Curated environments for inference
# --------------------------------------------------------------------------------------------

AZUREML_REGISTRY: Final = "azureml"

# The framework names of spec v1 (model.framework.name).
SPEC_FRAMEWORKS: Final[tuple[str, ...]] = (
    "sklearn",
    "xgboost",
    "lightgbm",
    "pytorch",
    "tensorflow",
    "onnx",
    "huggingface",
    "custom",
)


@dataclass(frozen=True)
class CuratedEnvironment:
    """An environment in the public ``azureml`` registry that can serve a framework.

    Each one carries ``azureml-inference-server-http`` (directly or through azureml-defaults), so
    it runs a scoring script given as ``code_configuration``; none of them serves a bare model file
    without one, except MLflow models. ``registry_version`` is an asset version seen in public use;
    None means no version could be confirmed and ``reference`` falls back to the ``latest`` label
    (the service resolves it when the deployment is created, so the same file can resolve
    differently later; the target should say so).
    """

    name: str
    framework: str
    framework_versions: tuple[str, ...]
    registry_version: int | None
    cuda: bool
    source: str

    @property
    def reference(self) -> str:
        """The ``environment:`` value for a deployment YAML."""
        base = f"azureml://registries/{AZUREML_REGISTRY}/environments/{self.name}"
        if self.registry_version is None:
            return f"{base}/labels/latest"
        return f"{base}/versions/{self.registry_version}"

    @property
    def pinned(self) -> bool:
        """True when ``reference`` names one immutable asset version."""
        return self.registry_version is not None

    @property
    def image(self) -> str:
        """The Microsoft Container Registry image the asset is built into (tag ``latest``)."""
        return f"mcr.microsoft.com/azureml/curated/{self.name}:latest"

    @property
    def pinned_image(self) -> str:
        """The image of exactly ``registry_version``: MCR tags each curated image with its asset version
        (mcr.microsoft.com/azureml/curated/<name>:<version>); ``latest`` when no version is confirmed."""
        return f"mcr.microsoft.com/azureml/curated/{self.name}:{self.registry_version or 'latest'}"


# What the rendered scoring scripts import beyond pandas, the framework and the inference server, with
# the version the rendered environment/Dockerfile pins on top of a curated image (PyPI, the releases
# current when this table was written; kept here, tiny, until runtimes.json carries scoring extras).
# Which of them a curated environment already carries: its context/conda_dependencies.yaml and
# Dockerfile in Azure/azureml-assets (assets/training/general/environments/<name>/): neither
# sklearn-1.5 nor lightgbm-3.3 lists azureml-ai-monitoring, azure-identity or azure-keyvault-secrets.
SCORING_PACKAGE_PINS: Final[Mapping[str, str]] = {
    "azureml-ai-monitoring": "1.0.0",
    "azure-identity": "1.27.0",
    "azure-keyvault-secrets": "4.12.0",
}
CURATED_SCORING_PACKAGES: Final[Mapping[str, frozenset[str]]] = {
    "sklearn-1.5": frozenset(),
    "lightgbm-3.3": frozenset(),
}


# Asset versions of the public ``azureml`` registry seen in public use (azureml-assets builds them with
# ``version: auto``, so the repository cannot say which number an asset has); an environment without
# one is referenced by its ``latest`` label.
REGISTRY_VERSIONS: Final[Mapping[str, int]] = {
    "sklearn-1.5": 54,
    "lightgbm-3.3": 76,
    "acpt-pytorch-2.2-cuda12.1": 43,
}


@cache
def curated_environments() -> tuple[CuratedEnvironment, ...]:
    """The curated environments of targets/azureml/runtimes.json (rebuilt from Azure/azureml-assets by
    targets/refresh_runtimes.py), one per framework each pins; read on first use."""
    return tuple(
        CuratedEnvironment(
            name=entry.runtime,
            framework=entry.framework,
            framework_versions=entry.serves,
            registry_version=REGISTRY_VERSIONS.get(entry.runtime),
            cuda="gpu" in entry.processors,
            source=entry.source,
        )
        for entry in runtimecatalog.catalog("azureml")
    )


def frameworks_without_environment() -> frozenset[str]:
    """Spec frameworks no curated environment pins: the spec must give a serving image."""
    return frozenset(SPEC_FRAMEWORKS) - {env.framework for env in curated_environments()}


# The pip package of each framework mlopsc renders Azure ML scoring code for.
PIP_PACKAGES: Final[Mapping[str, str]] = {
    "sklearn": "scikit-learn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "onnx": "onnx",
    "pytorch": "torch",
    "tensorflow": "tensorflow",
    "huggingface": "transformers",
}
# What score.py imports to run the framework beyond its own package: onnxruntime runs every opset of the
# ONNX releases before it (onnxruntime.ai/docs/reference/compatibility.html), so it is the newest one; a
# transformers pipeline needs a backend (torch, the CPU/CUDA build pip resolves).
FRAMEWORK_RUNTIME_PACKAGES: Final[Mapping[str, tuple[str, ...]]] = {
    "onnx": ("onnxruntime",),
    "huggingface": ("torch",),
}
# Frameworks whose curated environments (runtimes.json) do not carry what score.py imports: the ACPT
# images (pytorch, huggingface) record torch, transformers and the inference server but not pandas, and no
# curated environment carries onnxruntime. Their score.py is served from the minimal inference image and
# score/conda.yaml. (tensorflow-2.16-cuda11/12 record tensorflow, pandas and azureml-defaults, which
# brings the inference server: TensorFlow is served from them under the compatibility policy.)
CONDA_ONLY: Final[frozenset[str]] = frozenset({"onnx", "pytorch", "huggingface"})
CONDA_PYTHON: Final = "3.10"
"""Python of a conda-built environment: the oldest that every framework version with curated or prebuilt
images from 2022 on ships wheels for (scikit-learn >= 1.0.1, xgboost >= 1.5, lightgbm >= 3.3)."""


# The first release of a framework with wheels for CONDA_PYTHON (3.10): an older one cannot be installed in a
# conda-built environment (PyPI: torch 1.11.0 "Python 3.10 support"; TensorFlow 2.8.0 release notes "Add
# Python 3.10 support"). Only for the frameworks this target builds from conda alone or may fall back to.
CONDA_PYTHON_FLOOR: Final[Mapping[str, tuple[int, int]]] = {"pytorch": (1, 11), "tensorflow": (2, 8)}


def conda_base() -> str:
    """The image a conda-built environment starts from: the minimal inference environment of
    azureml-assets (assets/inference/environments/minimal-py311-inference: the Azure ML inference server
    on inference-base-2204), as its curated image."""
    data = json.loads(runtimecatalog.catalog_path("azureml").read_text(encoding="utf-8"))
    base = next(b for b in data["bases"] if b["runtime"] == "minimal-py311-inference")
    return str(base["image"])


def conda_environment(framework: str, version: str, capture: bool, secrets: bool) -> dict[str, Json]:
    """A conda file for the rendered score.py at ``framework`` ``version`` from PyPI (same major.minor,
    any patch), with the Azure ML inference server and what score.py imports.

    Azure ML builds the deployment's image from ``environment: {image, conda_file}``
    (reference-yaml-environment.md; how-to-deploy-online-endpoints.md uses the same pair)."""
    wanted = runtimecatalog.version_key(version)
    if framework not in PIP_PACKAGES or wanted is None or len(wanted) < 2:
        raise CatalogError(f"no PyPI package pin for {framework} {version}", tuple(PIP_PACKAGES))
    floor = CONDA_PYTHON_FLOOR.get(framework)
    if floor is not None and tuple(wanted[:2]) < floor:
        raise CatalogError(
            f"{framework} {version} has no wheels for Python {CONDA_PYTHON} (from {floor[0]}.{floor[1]} on), so "
            "Azure ML cannot build its environment; set serving.image_mirrors.azureml to a container that serves "
            "the model",
            (f"{floor[0]}.{floor[1]}",),
        )
    pin = f"{PIP_PACKAGES[framework]}=={wanted[0]}.{wanted[1]}.*"
    pip: list[Json] = ["azureml-inference-server-http", "pandas", pin, *FRAMEWORK_RUNTIME_PACKAGES.get(framework, ())]
    if framework == "sklearn":
        pip.append("joblib")
    if capture:
        pip.append("azureml-ai-monitoring")
    if secrets:
        pip += ["azure-identity", "azure-keyvault-secrets"]
    return {
        "name": f"mlopsc-{framework}-{wanted[0]}-{wanted[1]}",
        "channels": ["conda-forge"],
        "dependencies": [f"python={CONDA_PYTHON}", "pip", {"pip": pip}],
    }


def curated_environment(framework: str, version: str, compatibility: str | None = None) -> CuratedEnvironment:
    """The curated environment serving ``framework`` at ``version`` under the compatibility policy of
    targets/runtimecatalog.py (same major.minor for sklearn, xgboost and lightgbm by default).

    Raises CatalogError when the framework is unknown, has no curated environment (the spec must set
    serving.image_mirrors.azureml or serving.image), or the version is not served; the alternatives are
    the versions that are.
    """
    if framework not in SPEC_FRAMEWORKS:
        raise CatalogError(f"unknown framework {framework!r}", SPEC_FRAMEWORKS)
    if framework in CONDA_ONLY and framework not in frameworks_without_environment():
        raise CatalogError(
            f"no curated Azure ML environment carries what the {framework} score.py imports (the ACPT images "
            "record no pandas); Azure ML builds it from the minimal inference image and a conda file"
        )
    if framework in frameworks_without_environment():
        raise CatalogError(
            f"Azure ML has no curated inference environment for {framework}; set serving.image_mirrors.azureml "
            "(or serving.image) to a container that serves the model"
        )
    try:
        choice = runtimecatalog.choose("azureml", framework, version, compatibility)
    except runtimecatalog.NoRuntime:
        served = tuple(
            dict.fromkeys(
                v for env in curated_environments() if env.framework == framework for v in env.framework_versions
            )
        )
        raise CatalogError(
            f"Azure ML has no curated environment for {framework} {version}; curated versions: "
            + ", ".join(served)
            + " (or set serving.image_mirrors.azureml)",
            served,
        ) from None
    return next(
        env for env in curated_environments() if env.name == choice.entry.runtime and env.framework == framework
    )


def inference_environment(framework: str, version: str) -> str:
    """The ``environment:`` reference serving ``framework`` ``version``; see curated_environment."""
    return curated_environment(framework, version).reference


# --------------------------------------------------------------------------------------------
# Model monitoring: data drift
# --------------------------------------------------------------------------------------------

# The metric names the monitorSchedule schema accepts under metric_thresholds.numerical and
# metric_thresholds.categorical of a data_drift (or prediction_drift) signal. Note that the
# categorical chi-squared metric is ``pearsons_chi_squared_test``: reference-yaml-monitor.md
# still says ``chi_squared_test``, which the CLI rejects.
NUMERICAL_DRIFT_METRICS: Final[tuple[str, ...]] = (
    "jensen_shannon_distance",
    "normalized_wasserstein_distance",
    "population_stability_index",
    "two_sample_kolmogorov_smirnov_test",
)
CATEGORICAL_DRIFT_METRICS: Final[tuple[str, ...]] = (
    "jensen_shannon_distance",
    "pearsons_chi_squared_test",
    "population_stability_index",
)

# Azure ML's own defaults when a signal gives no threshold (entities/_monitoring/thresholds.py).
DEFAULT_DRIFT_THRESHOLDS: Final[Mapping[str, Mapping[str, float]]] = {
    "numerical": {"normalized_wasserstein_distance": 0.1},
    "categorical": {"jensen_shannon_distance": 0.1},
}

# monitoring.drift.method of the spec -> the metric of the same name (numerical, categorical); None where
# Azure does not compute it for that kind of feature. Naming only: drift.py decides which of them a monitor
# can use and in which units and direction (the p-value tests ks and chi2 cannot carry the spec's thresholds).
DRIFT_METHODS: Final[Mapping[str, tuple[str | None, str | None]]] = {
    "psi": ("population_stability_index", "population_stability_index"),
    "jensen-shannon": ("jensen_shannon_distance", "jensen_shannon_distance"),
    "ks": ("two_sample_kolmogorov_smirnov_test", None),
    "chi2": (None, "pearsons_chi_squared_test"),
}

# The data-drift signal supports tabular classification and regression models only.
DRIFT_ML_TASKS: Final[frozenset[str]] = frozenset({"classification", "regression"})

# create_monitor.compute.instance_type: the serverless Spark sizes monitoring jobs run on.
MONITOR_SPARK_INSTANCE_TYPES: Final[tuple[str, ...]] = (
    "standard_e4s_v3",
    "standard_e8s_v3",
    "standard_e16s_v3",
    "standard_e32s_v3",
    "standard_e64s_v3",
)
MONITOR_SPARK_RUNTIME: Final = "3.4"

# create_monitor.alert_notification is either this string (alerts go to Azure Monitor, from where
# action groups and Event Grid take over) or a mapping ``{emails: [...]}``.
ALERT_TO_AZURE_MONITOR: Final = "azmonitoring"
