"""SageMaker facts the target needs at compile time: prebuilt inference images and instance types.

Pure data plus small lookups, standard library only, so that compiling never needs the SageMaker
SDK, boto3 or the network.

Sources (docs/vendor-data.md says how to refresh them):

- Images: ``targets/sagemaker/runtimes.json``, rebuilt by ``targets/refresh_runtimes.py`` from the
  SageMaker Python SDK's ``sagemaker-core/src/sagemaker/core/image_uri_config/{sklearn,xgboost,pytorch,
  tensorflow,huggingface,sagemaker-tritonserver}.json`` (scope ``inference``) with the tag rules of
  ``image_uris._format_tag``; the tag is recorded there. Two registry maps here cover those images: the
  first-party algorithm accounts (scikit-learn, XGBoost) and the Deep Learning Containers accounts
  (PyTorch, TensorFlow, Hugging Face, Triton); each image also lists the regions it is published in.
- Instance sizes: the EC2 instance type specifications (vCPU, GiB) for the same sizes; GPU counts
  and GPU memory from the SDK's ``image_uri_config/instance_gpu_info.json``.
- Regional availability for real-time hosting: cfn-lint 1.58's
  ``data/schemas/extensions/aws_sagemaker_hosting/instancetype_enum.json``, which cfn-lint builds
  from the AWS Pricing API. That data lists no region at all for ``ml.p3.*`` hosting and lists
  ``ml.m6i.*`` hosting only in regions outside ``REGIONS``; the catalog follows the data, so those
  sizes are described but never picked, and an explicit request for them is refused with
  alternatives (``tests/test_sagemaker_catalog.py`` checks this table against cfn-lint's file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from mlopsc.targets import runtimecatalog


class CatalogError(ValueError):
    """A request the catalog cannot satisfy, with the values that would work."""

    def __init__(self, message: str, alternatives: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.alternatives = alternatives

    def __str__(self) -> str:
        if not self.alternatives:
            return self.message
        return f"{self.message} (alternatives: {', '.join(self.alternatives)})"


# --------------------------------------------------------------------------------------------
# Prebuilt inference images
# --------------------------------------------------------------------------------------------

ALGORITHMS = "algorithms"
"""Registry group of the first-party algorithm images (sagemaker-scikit-learn, sagemaker-xgboost)."""
DLC = "dlc"
"""Registry group of the AWS Deep Learning Containers (pytorch-, tensorflow-, huggingface-inference)."""

REGISTRIES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        ALGORITHMS: MappingProxyType(
            {
                "af-south-1": "510948584623",
                "ap-east-1": "651117190479",
                "ap-northeast-1": "354813040037",
                "ap-northeast-2": "366743142698",
                "ap-northeast-3": "867004704886",
                "ap-south-1": "720646828776",
                "ap-south-2": "628508329040",
                "ap-southeast-1": "121021644041",
                "ap-southeast-2": "783357654285",
                "ap-southeast-3": "951798379941",
                "ap-southeast-4": "106583098589",
                "ca-central-1": "341280168497",
                "ca-west-1": "190319476487",
                "eu-central-1": "492215442770",
                "eu-central-2": "680994064768",
                "eu-north-1": "662702820516",
                "eu-south-1": "978288397137",
                "eu-south-2": "104374241257",
                "eu-west-1": "141502667606",
                "eu-west-2": "764974769150",
                "eu-west-3": "659782779980",
                "il-central-1": "898809789911",
                "me-central-1": "272398656194",
                "me-south-1": "801668240914",
                "sa-east-1": "737474898029",
                "us-east-1": "683313688378",
                "us-east-2": "257758044811",
                "us-west-1": "746614075791",
                "us-west-2": "246618743249",
            }
        ),
        DLC: MappingProxyType(
            {
                "af-south-1": "626614931356",
                "ap-east-1": "871362719292",
                "ap-northeast-1": "763104351884",
                "ap-northeast-2": "763104351884",
                "ap-northeast-3": "364406365360",
                "ap-south-1": "763104351884",
                "ap-south-2": "772153158452",
                "ap-southeast-1": "763104351884",
                "ap-southeast-2": "763104351884",
                "ap-southeast-3": "907027046896",
                "ap-southeast-4": "457447274322",
                "ca-central-1": "763104351884",
                "ca-west-1": "204538143572",
                "eu-central-1": "763104351884",
                "eu-central-2": "380420809688",
                "eu-north-1": "763104351884",
                "eu-south-1": "692866216735",
                "eu-south-2": "503227376785",
                "eu-west-1": "763104351884",
                "eu-west-2": "763104351884",
                "eu-west-3": "763104351884",
                "il-central-1": "780543022126",
                "me-central-1": "914824155844",
                "me-south-1": "217643126080",
                "sa-east-1": "763104351884",
                "us-east-1": "763104351884",
                "us-east-2": "763104351884",
                "us-west-1": "763104351884",
                "us-west-2": "763104351884",
            }
        ),
    }
)

REGIONS: tuple[str, ...] = tuple(sorted(REGISTRIES[DLC]))
"""Commercial regions the catalog covers (China and GovCloud use other partitions and are left out)."""


@dataclass(frozen=True)
class Image:
    """One prebuilt inference image version: repository, CPU and GPU tags, registry group, regions."""

    framework: str
    version: str
    repository: str
    cpu_tag: str | None
    gpu_tag: str | None
    registry: str
    regions: tuple[str, ...] = REGIONS

    def uri(self, region: str, gpu: bool) -> str:
        """The full image URI in ``region``; the caller has checked the region and processor."""
        tag = self.gpu_tag if gpu else self.cpu_tag
        account = REGISTRIES[self.registry][region]
        return f"{account}.dkr.ecr.{region}.amazonaws.com/{self.repository}:{tag}"


# The first-party algorithm images live in the per-region algorithm accounts; every other repository
# here is a Deep Learning Container (image_uri_config/<name>.json: the accounts of each version).
_ALGORITHM_REPOSITORIES = frozenset({"sagemaker-scikit-learn", "sagemaker-xgboost"})


def _image(entry: runtimecatalog.RuntimeEntry) -> Image:
    tags = entry.details["tags"]
    regions = entry.details["regions"]
    assert isinstance(tags, dict) and isinstance(regions, list)
    return Image(
        framework=entry.framework,
        version=entry.version,
        repository=entry.runtime,
        cpu_tag=str(tags["cpu"]) if "cpu" in tags else None,
        gpu_tag=str(tags["gpu"]) if "gpu" in tags else None,
        registry=ALGORITHMS if entry.runtime in _ALGORITHM_REPOSITORIES else DLC,
        regions=tuple(region for region in REGIONS if region in regions),
    )


@cache
def images() -> Mapping[str, Mapping[str, Image]]:
    """Framework -> catalog version -> image, versions in ascending order, from targets/sagemaker/runtimes.json
    (the SageMaker Python SDK's image_uri_config; read on first use, not at import)."""
    by_framework: dict[str, dict[str, Image]] = {}
    for entry in runtimecatalog.catalog("sagemaker"):
        by_framework.setdefault(entry.framework, {})[entry.version] = _image(entry)
    return MappingProxyType({name: MappingProxyType(versions) for name, versions in sorted(by_framework.items())})


def frameworks() -> tuple[str, ...]:
    return tuple(images())


def choose(framework: str, version: str, gpu: bool = False, compatibility: str | None = None) -> runtimecatalog.Choice:
    """The catalog entry serving the spec's ``framework.version`` under the compatibility policy of
    targets/runtimecatalog.py (exact major.minor for sklearn/xgboost, the nearest newer minor of the same
    major for pytorch, tensorflow, onnx (Triton) and huggingface; ``model.framework.compatibility``).

    Raises CatalogError with the framework's catalog versions as alternatives, and with the frameworks as
    alternatives for a framework without prebuilt images (lightgbm, custom)."""
    known = images()
    if framework not in known:
        raise CatalogError(
            f"no prebuilt SageMaker inference image for framework {framework!r}: "
            "set serving.image_mirrors.sagemaker (or serving.image)",
            tuple(known),
        )
    if gpu and all(image.gpu_tag is None for image in known[framework].values()):
        raise CatalogError(
            f"the prebuilt SageMaker {framework} images are CPU only: set serving.resources.gpu to 0 "
            "or set serving.image_mirrors.sagemaker",
            tuple(name for name, by in known.items() if any(i.gpu_tag is not None for i in by.values())),
        )
    try:
        return runtimecatalog.choose("sagemaker", framework, version, compatibility, processor="gpu" if gpu else "cpu")
    except runtimecatalog.NoRuntime as exc:
        raise CatalogError(
            f"no prebuilt SageMaker {framework} inference image for version {version!r}: {exc.message}; "
            "use a listed version or set serving.image_mirrors.sagemaker",
            tuple(known[framework]),
        ) from None


def resolve_version(framework: str, version: str, gpu: bool = False, compatibility: str | None = None) -> str:
    """The catalog version that serves the spec's ``framework.version`` (see ``choose``)."""
    return choose(framework, version, gpu, compatibility).entry.version


def inference_image(framework: str, version: str, region: str, gpu: bool, compatibility: str | None = None) -> str:
    """The prebuilt SageMaker inference image URI for a framework version, region and processor.

    ``version`` is matched as ``choose`` documents. Raises CatalogError for an unknown framework or
    version (alternatives: frameworks or versions), an unknown region (alternatives: ``REGIONS``), a
    version not published in the region, and a GPU request for a CPU-only framework (alternatives: the
    frameworks with GPU images).
    """
    resolved = resolve_version(framework, version, gpu, compatibility)  # raises first for an unknown framework
    image = images()[framework][resolved]
    if region not in REGISTRIES[image.registry]:
        raise CatalogError(f"no prebuilt SageMaker inference images known for region {region!r}", REGIONS)
    if region not in image.regions:
        raise CatalogError(
            f"{image.repository}:{image.cpu_tag or image.gpu_tag} is not published in {region}", image.regions
        )
    return image.uri(region, gpu)


# --------------------------------------------------------------------------------------------
# Real-time inference instance types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstanceType:
    """One ``ml.*`` hosting instance type: vCPUs, memory (GiB), GPUs and their total memory (GiB)."""

    name: str
    family: str
    vcpu: int
    memory_gib: float
    gpus: int = 0
    gpu_memory_gib: int = 0


def _instances(family: str, *sizes: tuple[str, int, float, int, int]) -> list[InstanceType]:
    return [
        InstanceType(f"ml.{family}.{size}", family, vcpu, memory, gpus, gpu_memory)
        for size, vcpu, memory, gpus, gpu_memory in sizes
    ]


def _cpu(family: str, *sizes: tuple[str, int, float]) -> list[InstanceType]:
    return _instances(family, *((size, vcpu, memory, 0, 0) for size, vcpu, memory in sizes))


_ALL_INSTANCES: list[InstanceType] = [
    *_cpu(
        "c5",
        ("large", 2, 4),
        ("xlarge", 4, 8),
        ("2xlarge", 8, 16),
        ("4xlarge", 16, 32),
        ("9xlarge", 36, 72),
        ("18xlarge", 72, 144),
    ),
    *_cpu(
        "c6i",
        ("large", 2, 4),
        ("xlarge", 4, 8),
        ("2xlarge", 8, 16),
        ("4xlarge", 16, 32),
        ("8xlarge", 32, 64),
        ("12xlarge", 48, 96),
        ("16xlarge", 64, 128),
        ("24xlarge", 96, 192),
        ("32xlarge", 128, 256),
    ),
    *_cpu(
        "m5",
        ("large", 2, 8),
        ("xlarge", 4, 16),
        ("2xlarge", 8, 32),
        ("4xlarge", 16, 64),
        ("12xlarge", 48, 192),
        ("24xlarge", 96, 384),
    ),
    *_cpu(
        "m6i",
        ("large", 2, 8),
        ("xlarge", 4, 16),
        ("2xlarge", 8, 32),
        ("4xlarge", 16, 64),
        ("8xlarge", 32, 128),
        ("12xlarge", 48, 192),
        ("16xlarge", 64, 256),
        ("24xlarge", 96, 384),
        ("32xlarge", 128, 512),
    ),
    *_cpu(
        "r5",
        ("large", 2, 16),
        ("xlarge", 4, 32),
        ("2xlarge", 8, 64),
        ("4xlarge", 16, 128),
        ("12xlarge", 48, 384),
        ("24xlarge", 96, 768),
    ),
    # NVIDIA T4, 16 GiB each
    *_instances(
        "g4dn",
        ("xlarge", 4, 16, 1, 16),
        ("2xlarge", 8, 32, 1, 16),
        ("4xlarge", 16, 64, 1, 16),
        ("8xlarge", 32, 128, 1, 16),
        ("12xlarge", 48, 192, 4, 64),
        ("16xlarge", 64, 256, 1, 16),
    ),
    # NVIDIA A10G, 24 GiB each (the 48xlarge reports 183,104 MiB in total)
    *_instances(
        "g5",
        ("xlarge", 4, 16, 1, 24),
        ("2xlarge", 8, 32, 1, 24),
        ("4xlarge", 16, 64, 1, 24),
        ("8xlarge", 32, 128, 1, 24),
        ("12xlarge", 48, 192, 4, 96),
        ("16xlarge", 64, 256, 1, 24),
        ("24xlarge", 96, 384, 4, 96),
        ("48xlarge", 192, 768, 8, 178),
    ),
    # NVIDIA V100, 16 GiB each
    *_instances(
        "p3",
        ("2xlarge", 8, 61, 1, 16),
        ("8xlarge", 32, 244, 4, 64),
        ("16xlarge", 64, 488, 8, 128),
    ),
]

INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType({i.name: i for i in _ALL_INSTANCES})

FAMILY_ORDER: tuple[str, ...] = ("c5", "c6i", "m5", "m6i", "r5", "g4dn", "g5", "p3")
"""Cheapest-looking first: compute- before general- before memory-optimised at equal vCPUs, the
older generation first at equal size (same price band, wider regional availability), and for GPUs
T4 (g4dn) before A10G (g5) before V100 (p3)."""

_FAMILY_RANK = {family: rank for rank, family in enumerate(FAMILY_ORDER)}


def _family(family: str) -> tuple[str, ...]:
    return tuple(i.name for i in _ALL_INSTANCES if i.family == family)


def _sizes(family: str, *sizes: str) -> tuple[str, ...]:
    return tuple(f"ml.{family}.{size}" for size in sizes)


_R5_NO_2XL = ("r5", "large", "xlarge", "4xlarge", "12xlarge", "24xlarge")

HOSTING_AVAILABILITY: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "af-south-1": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g4dn"))),
        "ap-east-1": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g4dn"), *_family("g5"))),
        "ap-northeast-1": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "ap-northeast-2": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "ap-northeast-3": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g4dn"))),
        "ap-south-1": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "ap-south-2": frozenset((*_family("c5"), *_family("m5"), *_sizes(*_R5_NO_2XL))),
        "ap-southeast-1": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "ap-southeast-2": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "ap-southeast-3": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g5"))),
        "ap-southeast-4": frozenset((*_family("c5"), *_family("m5"), *_sizes(*_R5_NO_2XL))),
        "ca-central-1": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "ca-west-1": frozenset((*_family("c5"), *_family("c6i"), *_family("m5"), *_family("r5"))),
        "eu-central-1": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g4dn"), *_family("g5"))),
        "eu-central-2": frozenset((*_family("c5"), *_family("m5"), *_family("r5"))),
        "eu-north-1": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g4dn"), *_family("g5"))),
        "eu-south-1": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g4dn"))),
        "eu-south-2": frozenset((*_family("c5"), *_family("m5"), *_sizes(*_R5_NO_2XL))),
        "eu-west-1": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "eu-west-2": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "eu-west-3": frozenset((*_family("c5"), *_family("c6i"), *_family("m5"), *_family("r5"), *_family("g4dn"))),
        "il-central-1": frozenset(
            (*_family("c5"), *_family("c6i"), *_family("m5"), *_sizes(*_R5_NO_2XL), *_family("g5"))
        ),
        "me-central-1": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g5"))),
        "me-south-1": frozenset((*_family("c5"), *_family("m5"), *_family("r5"), *_family("g4dn"))),
        "sa-east-1": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "us-east-1": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "us-east-2": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
        "us-west-1": frozenset((*_family("c5"), *_family("c6i"), *_family("m5"), *_family("r5"), *_family("g4dn"))),
        "us-west-2": frozenset(
            (
                *_family("c5"),
                *_family("c6i"),
                *_family("m5"),
                *_family("r5"),
                *_family("g4dn"),
                *_family("g5"),
            )
        ),
    }
)
"""Region -> the catalog's instance types offered for real-time hosting there (cfn-lint pricing data)."""


def _order(instance: InstanceType) -> tuple[float, ...]:
    """Sort key of ``pick_instance``: the first instance that fits is the one picked.

    CPU-only: fewest vCPUs, then least memory, then ``FAMILY_ORDER`` (price follows vCPUs first).
    GPU: ``FAMILY_ORDER`` first (the GPU model drives the price), then fewest GPUs, vCPUs, memory.
    """
    rank = _FAMILY_RANK[instance.family]
    if instance.gpus:
        return (rank, instance.gpus, instance.vcpu, instance.memory_gib)
    return (instance.vcpu, instance.memory_gib, rank)


def _pool(region: str | None, gpu: bool) -> list[InstanceType]:
    if region is not None and region not in HOSTING_AVAILABILITY:
        raise CatalogError(f"no SageMaker hosting instance data for region {region!r}", REGIONS)
    offered = HOSTING_AVAILABILITY[region] if region is not None else frozenset(INSTANCE_TYPES)
    return sorted(
        (i for i in _ALL_INSTANCES if i.name in offered and bool(i.gpus) == gpu),
        key=_order,
    )


def instance_available(name: str, region: str) -> bool:
    """True when ``name`` is offered for SageMaker real-time hosting in ``region``."""
    return name in HOSTING_AVAILABILITY.get(region, frozenset())


def pick_instance(
    cpu: float, memory_gb: float, gpu: int, *, region: str | None = None, families: tuple[str, ...] = ()
) -> str:
    """The cheapest-looking smallest instance type with at least ``cpu`` vCPUs, ``memory_gb`` GiB
    and ``gpu`` GPUs (CPU-only types when ``gpu`` is 0), in the order ``_order`` documents.

    With ``region``, only the types offered for hosting there are considered; with ``families``
    (for example ``("g5",)`` from a GPU model, see ``GPU_FAMILIES``), only those families. The whole
    instance serves one model container, so no headroom is added. Raises CatalogError when none
    fits, with the largest type of each candidate family as alternatives.
    """
    pool = [i for i in _pool(region, gpu > 0) if not families or i.family in families]
    for instance in pool:
        if instance.vcpu >= cpu and instance.memory_gib >= memory_gb and instance.gpus >= gpu:
            return instance.name
    largest: dict[str, InstanceType] = {}
    for instance in pool:
        best = largest.get(instance.family)
        if best is None or (instance.gpus, instance.vcpu, instance.memory_gib) > (
            best.gpus,
            best.vcpu,
            best.memory_gib,
        ):
            largest[instance.family] = instance
    where = f" in {region}" if region else ""
    raise CatalogError(
        f"no SageMaker hosting instance type{where} has {cpu:g} vCPU, {memory_gb:g} GiB and {gpu} GPU(s)",
        tuple(i.name for i in sorted(largest.values(), key=_order)),
    )


def check_instance(name: str, region: str, gpu: int) -> InstanceType:
    """Validate an explicitly chosen instance type for ``region`` and ``gpu`` GPUs.

    Raises CatalogError for an unknown type (alternatives: the catalog's types), a type not offered
    in the region (alternatives: the offered types of the same kind, CPU or GPU) and a type with
    fewer GPUs than asked (alternatives: the offered GPU types with enough GPUs).
    """
    instance = INSTANCE_TYPES.get(name)
    if instance is None:
        raise CatalogError(f"unknown SageMaker hosting instance type {name!r}", tuple(INSTANCE_TYPES))
    if not instance_available(name, region):
        raise CatalogError(
            f"{name} is not offered for SageMaker real-time hosting in {region}",
            tuple(i.name for i in _pool(region, instance.gpus > 0)),
        )
    if instance.gpus < gpu:
        raise CatalogError(
            f"{name} has {instance.gpus} GPU(s), {gpu} requested",
            tuple(i.name for i in _pool(region, True) if i.gpus >= gpu),
        )
    return instance


# --------------------------------------------------------------------------------------------
# GPU models, local instance storage, Model Monitor images
# --------------------------------------------------------------------------------------------

GPU_FAMILIES: Mapping[str, str] = MappingProxyType(
    {
        "nvidia-tesla-t4": "g4dn",
        "nvidia-t4": "g4dn",
        "nvidia-a10g": "g5",
        "nvidia-tesla-v100": "p3",
        "nvidia-v100": "p3",
    }
)
"""``serving.resources.gpu_type`` spellings -> the catalog family carrying that GPU (T4 on g4dn,
A10G on g5, V100 on p3; the EC2 instance type pages)."""

LOCAL_STORAGE_FAMILIES: frozenset[str] = frozenset(
    {"g4dn", "g5", "g6", "g6e", "p3dn", "p4d", "p4de", "p5", "inf2", "c5d", "m5d", "r5d", "c6id", "m6id", "r6id"}
)
"""Families whose instances carry local NVMe (instance store) volumes. CreateEndpointConfig: "You
can't request a KmsKeyId when using an instance type with local storage ... the call to
CreateEndpointConfig fails"; the same holds for ``VolumeKmsKeyId`` of jobs on them. Of the
catalog's families g4dn and g5 have local storage; c5, c6i, m5, m6i, r5 and p3 are EBS-only."""


def has_local_storage(instance_type: str) -> bool:
    """True for ``ml.<family>.<size>`` types with instance-store volumes (no KMS key allowed)."""
    parts = instance_type.split(".")
    return len(parts) == 3 and parts[1] in LOCAL_STORAGE_FAMILIES


MODEL_MONITOR_REGISTRIES: Mapping[str, str] = MappingProxyType(
    {
        "af-south-1": "875698925577",
        "ap-east-1": "001633400207",
        "ap-northeast-1": "574779866223",
        "ap-northeast-2": "709848358524",
        "ap-northeast-3": "990339680094",
        "ap-south-1": "126357580389",
        "ap-southeast-1": "245545462676",
        "ap-southeast-2": "563025443158",
        "ap-southeast-3": "669540362728",
        "ca-central-1": "536280801234",
        "eu-central-1": "048819808253",
        "eu-central-2": "590183933784",
        "eu-north-1": "895015795356",
        "eu-south-1": "933208885752",
        "eu-south-2": "437450045455",
        "eu-west-1": "468650794304",
        "eu-west-2": "749857270468",
        "eu-west-3": "680080141114",
        "il-central-1": "843974653677",
        "me-central-1": "588750061953",
        "me-south-1": "607024016150",
        "sa-east-1": "539772159869",
        "us-east-1": "156813124566",
        "us-east-2": "777275614652",
        "us-west-1": "890145073186",
        "us-west-2": "159807026194",
    }
)
"""Region -> account of the built-in ``sagemaker-model-monitor-analyzer`` image (SageMaker Python
SDK 2.257.7 ``image_uri_config/model-monitor.json``; no entry for ap-south-2, ap-southeast-4,
ca-west-1)."""


def model_monitor_image(region: str) -> str:
    """The built-in data-quality analyzer image of ``region`` (untagged = the current release)."""
    account = MODEL_MONITOR_REGISTRIES.get(region)
    if account is None:
        raise CatalogError(
            f"no SageMaker Model Monitor analyzer image known for region {region!r}", tuple(MODEL_MONITOR_REGISTRIES)
        )
    return f"{account}.dkr.ecr.{region}.amazonaws.com/sagemaker-model-monitor-analyzer"
