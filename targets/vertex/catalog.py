"""What Vertex AI offers, as data: prebuilt prediction images, machine types, accelerators, drift measures.

Runtime data for the Vertex AI target (pure standard library, no network). Sources, checked when this
file was written (docs/vendor-data.md says how to refresh them):

- Prebuilt prediction images: ``targets/vertex/runtimes.json``, rebuilt by targets/refresh_runtimes.py
  from the list shipped in google-cloud-aiplatform (``google/cloud/aiplatform/constants/prediction.py``;
  tests/test_runtime_catalogs.py holds it to the installed package) and the "Prebuilt containers for inference"
  page (https://cloud.google.com/vertex-ai/docs/predictions/pre-built-containers). That page says:
  "Using image names without the latest tag isn't supported. You must use an image with the latest
  tag." There is no pinned tag; ``prediction_image`` therefore returns a ``:latest`` URI (Vertex AI
  copies the image into the Model at upload, "stored internally, and this original path is
  afterwards not used", so an uploaded Model does not drift, but two uploads can differ).
- Machine types for prediction: https://cloud.google.com/vertex-ai/docs/predictions/configure-compute;
  vCPU and memory of each type and the GPUs fixed to A2/G2 types, or attachable to N1 types, from the
  Compute Engine machine-type and GPU pages.
- Accelerator names: the ``google.cloud.aiplatform.v1.AcceleratorType`` enum.
- Drift: ``ThresholdConfig`` in ``google/cloud/aiplatform/v1/model_monitoring.proto``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Final

from mlopsc.targets import runtimecatalog


class CatalogError(Exception):
    """A request the catalog cannot satisfy, with the values that would have worked."""

    def __init__(self, message: str, alternatives: Sequence[str] = ()) -> None:
        self.message = message
        self.alternatives: tuple[str, ...] = tuple(alternatives)
        suffix = f" (valid: {', '.join(self.alternatives)})" if self.alternatives else ""
        super().__init__(message + suffix)


# --- prebuilt prediction images ---------------------------------------------------------------------


@dataclass(frozen=True)
class PrebuiltFramework:
    """One framework's prebuilt prediction images (versions major.minor) and the files they load."""

    name: str
    cpu_versions: tuple[str, ...]
    gpu_versions: tuple[str, ...]
    artifact_files: tuple[str, ...]
    """File names the prebuilt server loads from ``artifactUri``."""


@cache
def prebuilt_frameworks() -> Mapping[str, PrebuiltFramework]:
    """Frameworks with Vertex AI prebuilt prediction images, from targets/vertex/runtimes.json (the
    lists of google-cloud-aiplatform's constants/prediction.py, and Google's Hugging Face PyTorch
    inference containers: huggingface/Google-Cloud-Containers docs/source/containers/available.mdx)."""
    cpu: dict[str, list[str]] = {}
    gpu: dict[str, list[str]] = {}
    files: dict[str, tuple[str, ...]] = {}
    for entry in runtimecatalog.catalog("vertex"):
        files.setdefault(entry.framework, entry.artifact.files)
        for processor, versions in (("cpu", cpu), ("gpu", gpu)):
            if processor in entry.processors:
                versions.setdefault(entry.framework, []).append(entry.version)
    return MappingProxyType(
        {
            name: PrebuiltFramework(name, tuple(cpu.get(name, ())), tuple(gpu.get(name, ())), files[name])
            for name in sorted(files)
        }
    )


IMAGE_MULTI_REGIONS: Final[tuple[str, ...]] = ("us", "europe", "asia")
"""Artifact Registry multi-regions that hold every prebuilt image: ``<multi-region>-docker.pkg.dev``."""

REGION_PREFIX_TO_MULTI_REGION: Final[Mapping[str, str]] = MappingProxyType(
    {
        "us": "us",
        "northamerica": "us",
        "southamerica": "us",
        "europe": "europe",
        "me": "europe",
        "africa": "europe",
        "asia": "asia",
        "australia": "asia",
    }
)
"""Vertex AI region prefix -> the nearest image multi-region.

Every multi-region serves the same image to any region; the choice only shortens the copy at
upload. The SDK helper (``aiplatform.helpers.get_prebuilt_prediction_container_uri``) accepts only
regions starting with us, europe or asia; the other prefixes are mapped here by continent.
"""

_REGION: Final = re.compile(r"^(?P<prefix>[a-z]+)-[a-z]+[0-9]+$")
_VERSION: Final = re.compile(r"^(?P<major>[0-9]+)\.(?P<minor>[0-9]+)(\.[0-9A-Za-z.+-]+)?$")


def image_multi_region(region: str) -> str:
    """The image multi-region (us, europe, asia) for a Vertex AI region such as ``us-central1``."""
    match = _REGION.match(region)
    prefix = match.group("prefix") if match else ""
    if prefix not in REGION_PREFIX_TO_MULTI_REGION:
        raise CatalogError(
            f"{region!r} is not a Vertex AI region this catalog knows",
            [f"{known}-..." for known in REGION_PREFIX_TO_MULTI_REGION],
        )
    return REGION_PREFIX_TO_MULTI_REGION[prefix]


def prediction_choice(
    framework: str, version: str, gpu: bool, compatibility: str | None = None
) -> runtimecatalog.Choice:
    """The catalog entry serving ``framework`` ``version`` on CPU or GPU under the compatibility policy
    (targets/runtimecatalog.py); raises ``CatalogError`` listing what exists."""
    frameworks = prebuilt_frameworks()
    spec = frameworks.get(framework)
    if spec is None:
        raise CatalogError(
            f"Vertex AI has no prebuilt prediction image for {framework!r}; set serving.image_mirrors.vertex "
            "(or serving.image) to a container in Artifact Registry",
            sorted(frameworks),
        )
    match = _VERSION.match(version)
    if match is None:
        raise CatalogError(f"{framework} version {version!r} is not major.minor[.patch]")
    versions = spec.gpu_versions if gpu else spec.cpu_versions
    if gpu and not versions:
        raise CatalogError(
            f"Vertex AI has no GPU prediction image for {framework}; use a CPU machine or set "
            "serving.image_mirrors.vertex",
            sorted(name for name, other in frameworks.items() if other.gpu_versions),
        )
    try:
        return runtimecatalog.choose("vertex", framework, version, compatibility, processor="gpu" if gpu else "cpu")
    except runtimecatalog.NoRuntime as exc:
        minor = f"{int(match.group('major'))}.{int(match.group('minor'))}"
        accelerator = "GPU" if gpu else "CPU"
        raise CatalogError(
            f"no {accelerator} prediction image for {framework} {minor}: {exc.message}", versions
        ) from None


def prediction_image(framework: str, version: str, region: str, gpu: bool, compatibility: str | None = None) -> str:
    """The prebuilt prediction image for a framework version, near ``region``, for CPU or GPU.

    ``version`` is matched under the compatibility policy (``prediction_choice``). Returns for example
    ``us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest``; the Hugging Face containers are
    published in ``us-docker.pkg.dev`` only and are returned as listed.
    Raises ``CatalogError`` listing what exists when the framework, version or accelerator has no image.
    """
    choice = prediction_choice(framework, version, gpu, compatibility)
    images = choice.entry.details.get("images", {})
    assert isinstance(images, dict)
    image = str(images["gpu" if gpu else "cpu"])
    if image.startswith("vertex-ai/"):
        return f"{image_multi_region(region)}-docker.pkg.dev/{image}"
    return image


# --- accelerators and machine types -----------------------------------------------------------------


@dataclass(frozen=True)
class Accelerator:
    """An ``AcceleratorType`` enum value and the names users write for it."""

    enum: str
    aliases: tuple[str, ...]
    attach_counts: tuple[int, ...]
    """GPU counts that can be attached to an N1 machine; empty when the GPU comes with its machine."""
    vcpu_limits: tuple[int, ...] = ()
    """For N1: the most vCPUs allowed with ``attach_counts[i]`` GPUs."""
    memory_limits_gb: tuple[float, ...] = ()
    """For N1: the most memory allowed with ``attach_counts[i]`` GPUs."""


ACCELERATORS: Final[Mapping[str, Accelerator]] = MappingProxyType(
    {
        accelerator.enum: accelerator
        for accelerator in (
            Accelerator(
                "NVIDIA_TESLA_T4",
                ("t4", "nvidia-tesla-t4", "nvidia-t4"),
                (1, 2, 4),
                (48, 48, 96),
                (312, 312, 624),
            ),
            Accelerator("NVIDIA_TESLA_P4", ("p4", "nvidia-tesla-p4"), (1, 2, 4), (24, 48, 96), (156, 312, 624)),
            Accelerator(
                "NVIDIA_TESLA_V100",
                ("v100", "nvidia-tesla-v100"),
                (1, 2, 4, 8),
                (12, 24, 48, 96),
                (78, 156, 312, 624),
            ),
            Accelerator("NVIDIA_TESLA_P100", ("p100", "nvidia-tesla-p100"), (1, 2, 4), (16, 32, 96), (104, 208, 624)),
            Accelerator("NVIDIA_L4", ("l4", "nvidia-l4"), ()),
            Accelerator("NVIDIA_TESLA_A100", ("a100", "nvidia-tesla-a100", "nvidia-a100", "nvidia-a100-40gb"), ()),
            Accelerator("NVIDIA_A100_80GB", ("a100-80gb", "nvidia-a100-80gb"), ()),
        )
    }
)
"""GPUs this catalog can place, keyed by ``AcceleratorType`` name (the JSON value of ``acceleratorType``).

N1 limits (vCPUs, memory per GPU count) follow the Compute Engine GPU page; L4 (G2) and A100 (A2)
come fixed to their machine types below.
"""

DEFAULT_ACCELERATOR: Final = "NVIDIA_TESLA_T4"
"""The GPU chosen when ``serving.resources.gpu`` is set without a type: attachable to N1 machines in
most regions, and the cheapest inference GPU on Vertex AI."""


@dataclass(frozen=True)
class MachineType:
    """A machine type that Vertex AI prediction accepts."""

    name: str
    vcpus: int
    memory_gb: float
    accelerator: str | None = None
    """For A2/G2 types: the GPU that comes with the machine (``AcceleratorType`` name)."""
    accelerator_count: int = 0

    @property
    def series(self) -> str:
        return self.name.split("-", 1)[0]


def _family(prefix: str, sizes: Sequence[int], gb_per_vcpu: float) -> list[MachineType]:
    return [MachineType(f"{prefix}-{size}", size, round(size * gb_per_vcpu, 2)) for size in sizes]


_CPU_MACHINES: Final = (
    _family("n1-standard", (2, 4, 8, 16, 32), 3.75)
    + _family("n1-highmem", (2, 4, 8, 16, 32), 6.5)
    + _family("n1-highcpu", (4, 8, 16, 32), 0.9)
    + _family("e2-standard", (2, 4, 8, 16, 32), 4)
    + _family("e2-highmem", (2, 4, 8, 16), 8)
    + _family("e2-highcpu", (2, 4, 8, 16, 32), 1)
    + _family("n2-standard", (2, 4, 8, 16, 32, 48, 64, 80), 4)
    + _family("n2-highmem", (2, 4, 8, 16, 32, 48, 64, 80), 8)
    + _family("n2-highcpu", (2, 4, 8, 16, 32, 48, 64, 80), 1)
)

_GPU_MACHINES: Final = (
    MachineType("g2-standard-4", 4, 16, "NVIDIA_L4", 1),
    MachineType("g2-standard-8", 8, 32, "NVIDIA_L4", 1),
    MachineType("g2-standard-12", 12, 48, "NVIDIA_L4", 1),
    MachineType("g2-standard-16", 16, 64, "NVIDIA_L4", 1),
    MachineType("g2-standard-24", 24, 96, "NVIDIA_L4", 2),
    MachineType("g2-standard-32", 32, 128, "NVIDIA_L4", 1),
    MachineType("g2-standard-48", 48, 192, "NVIDIA_L4", 4),
    MachineType("g2-standard-96", 96, 384, "NVIDIA_L4", 8),
    MachineType("a2-highgpu-1g", 12, 85, "NVIDIA_TESLA_A100", 1),
    MachineType("a2-highgpu-2g", 24, 170, "NVIDIA_TESLA_A100", 2),
    MachineType("a2-highgpu-4g", 48, 340, "NVIDIA_TESLA_A100", 4),
    MachineType("a2-highgpu-8g", 96, 680, "NVIDIA_TESLA_A100", 8),
    MachineType("a2-ultragpu-1g", 12, 170, "NVIDIA_A100_80GB", 1),
    MachineType("a2-ultragpu-2g", 24, 340, "NVIDIA_A100_80GB", 2),
    MachineType("a2-ultragpu-4g", 48, 680, "NVIDIA_A100_80GB", 4),
    MachineType("a2-ultragpu-8g", 96, 1360, "NVIDIA_A100_80GB", 8),
)

MACHINE_TYPES: Final[Mapping[str, MachineType]] = MappingProxyType(
    {machine.name: machine for machine in (*_CPU_MACHINES, *_GPU_MACHINES)}
)
"""Machine types for online and batch prediction, in the catalog's order of preference for ties."""


@dataclass(frozen=True)
class MachineChoice:
    """``machineSpec`` of a DeployedModel or BatchPredictionJob."""

    machine_type: str
    accelerator_type: str | None
    accelerator_count: int


def resolve_accelerator(name: str | None) -> str:
    """The ``AcceleratorType`` name for what a user wrote (``nvidia-tesla-t4``, ``T4``, ``NVIDIA_L4``...)."""
    if name is None:
        return DEFAULT_ACCELERATOR
    wanted = name.strip().lower().replace("_", "-")
    for accelerator in ACCELERATORS.values():
        if wanted == accelerator.enum.lower().replace("_", "-") or wanted in accelerator.aliases:
            return accelerator.enum
    raise CatalogError(f"unknown GPU type {name!r} for Vertex AI", list(ACCELERATORS))


def pick_machine(cpu: float, memory_gb: float, gpu: int, accelerator: str | None) -> MachineChoice:
    """The smallest prediction machine with at least ``cpu`` vCPUs, ``memory_gb`` GB and ``gpu`` GPUs.

    Without GPUs: the CPU-only type with the fewest vCPUs, then the least memory, then the earliest
    family in ``MACHINE_TYPES``. With GPUs: ``accelerator`` (default ``DEFAULT_ACCELERATOR``) picks the
    family: N1 with attached T4/P4/V100/P100 (within the per-count vCPU and memory limits), G2 for L4,
    A2 for A100; the GPU count must be one the family offers. Raises ``CatalogError`` with the valid
    values otherwise.
    """
    if cpu <= 0 or memory_gb <= 0 or gpu < 0:
        raise CatalogError(f"resources must be positive (cpu={cpu}, memory_gb={memory_gb}, gpu={gpu})")
    if gpu == 0:
        if accelerator is not None:
            raise CatalogError(f"a GPU type ({accelerator}) is given without a GPU count")
        machine = _smallest(_CPU_MACHINES, cpu, memory_gb)
        if machine is None:
            raise CatalogError(
                f"no CPU machine type has {cpu:g} vCPUs and {memory_gb:g} GB", [m.name for m in _CPU_MACHINES]
            )
        return MachineChoice(machine.name, None, 0)

    enum = resolve_accelerator(accelerator)
    spec = ACCELERATORS[enum]
    if spec.attach_counts:
        if gpu not in spec.attach_counts:
            raise CatalogError(f"{enum} attaches to N1 machines in counts of", [str(n) for n in spec.attach_counts])
        index = spec.attach_counts.index(gpu)
        n1 = [
            m
            for m in _CPU_MACHINES
            if m.series == "n1" and m.vcpus <= spec.vcpu_limits[index] and m.memory_gb <= spec.memory_limits_gb[index]
        ]
        machine = _smallest(n1, cpu, memory_gb)
        if machine is None:
            raise CatalogError(
                f"no N1 machine takes {gpu} x {enum} with {cpu:g} vCPUs and {memory_gb:g} GB",
                [m.name for m in n1],
            )
        return MachineChoice(machine.name, enum, gpu)

    fixed = [m for m in _GPU_MACHINES if m.accelerator == enum]
    counts = sorted({m.accelerator_count for m in fixed})
    if gpu not in counts:
        raise CatalogError(f"{enum} machine types come with a GPU count of", [str(n) for n in counts])
    machine = _smallest([m for m in fixed if m.accelerator_count == gpu], cpu, memory_gb)
    if machine is None:
        raise CatalogError(
            f"no machine with {gpu} x {enum} has {cpu:g} vCPUs and {memory_gb:g} GB",
            [m.name for m in fixed if m.accelerator_count == gpu],
        )
    return MachineChoice(machine.name, enum, gpu)


def _smallest(machines: Sequence[MachineType], cpu: float, memory_gb: float) -> MachineType | None:
    fitting = [m for m in machines if m.vcpus >= cpu and m.memory_gb >= memory_gb]
    order = {m.name: i for i, m in enumerate(machines)}
    return min(fitting, key=lambda m: (m.vcpus, m.memory_gb, order[m.name]), default=None)


# --- drift and skew ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftMeasure:
    """How Vertex AI model monitoring (v1) measures the distance between two feature distributions."""

    feature_kind: str
    """``numerical`` or ``categorical``."""
    measure: str
    maximum: float
    """The largest value the measure takes: a threshold above it never fires."""


DRIFT_MEASURES: Final[Mapping[str, DriftMeasure]] = MappingProxyType(
    {
        "numerical": DriftMeasure("numerical", "jensen-shannon divergence", 1.0),
        "categorical": DriftMeasure("categorical", "l-infinity distance", 1.0),
    }
)
"""From ``ThresholdConfig.value``: "For categorical feature, the distribution distance is calculated by
L-inifinity norm. For numerical feature, the distribution distance is calculated by Jensen-Shannon
divergence." Not PSI, KS or chi-squared: a spec threshold for another method is a different number
and is carried over as a reported decision, never silently."""

_FEATURE_KINDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "integer": "numerical",
        "long": "numerical",
        "float": "numerical",
        "double": "numerical",
        "string": "categorical",
        "boolean": "categorical",
    }
)


def drift_measure(feature_type: str) -> DriftMeasure:
    """The measure Vertex AI applies to a feature of the spec's signature type (``double``, ``string``...)."""
    kind = _FEATURE_KINDS.get(feature_type)
    if kind is None:
        raise CatalogError(
            f"Vertex AI model monitoring does not measure drift on {feature_type!r} features",
            list(_FEATURE_KINDS),
        )
    return DRIFT_MEASURES[kind]


MONITORING_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "drift_threshold": "modelDeploymentMonitoringObjectiveConfigs[].objectiveConfig"
        ".predictionDriftDetectionConfig.driftThresholds.<feature>.value",
        "default_drift_threshold": "modelDeploymentMonitoringObjectiveConfigs[].objectiveConfig"
        ".predictionDriftDetectionConfig.defaultDriftThreshold.value",
        "skew_threshold": "modelDeploymentMonitoringObjectiveConfigs[].objectiveConfig"
        ".trainingPredictionSkewDetectionConfig.skewThresholds.<feature>.value",
        "skew_training_data": "modelDeploymentMonitoringObjectiveConfigs[].objectiveConfig.trainingDataset",
        "deployed_model": "modelDeploymentMonitoringObjectiveConfigs[].deployedModelId",
        "sample_rate": "loggingSamplingStrategy.randomSampleConfig.sampleRate",
        "interval": "modelDeploymentMonitoringScheduleConfig.monitorInterval",
        "alert_emails": "modelMonitoringAlertConfig.emailAlertConfig.userEmails",
    }
)
"""Where each monitoring setting goes in a ``ModelDeploymentMonitoringJob`` body (v1 JSON names).

Thresholds are ``ThresholdConfig {"value": <double>}`` in (0, 1]; sample rates are in (0, 1];
``monitorInterval`` is a Duration (``"3600s"``) that Vertex AI rounds up to whole hours; skew
detection needs ``trainingDataset``; every DeployedModel of the endpoint is configured separately.
"""
