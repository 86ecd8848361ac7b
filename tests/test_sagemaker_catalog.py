"""The SageMaker catalog resolves real image URIs and instance types, and refuses what does not exist.

Expected URIs are the ones the SageMaker Python SDK's ``image_uris.retrieve`` returns for the same
arguments (and that AWS documents in its Deep Learning Containers list); the instance tables are
cross-checked against the instance-type data shipped with cfn-lint.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any, cast

import pytest

from mlopsc.targets.sagemaker import catalog
from mlopsc.targets.sagemaker.catalog import CatalogError, inference_image, pick_instance

REQUIRED_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "eu-west-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
)


@pytest.mark.parametrize(
    ("framework", "version", "region", "gpu", "uri"),
    [
        (
            "xgboost",
            "1.7-1",
            "us-east-1",
            False,
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        ),
        (
            "xgboost",
            "1.7",
            "eu-west-1",
            True,
            "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        ),
        (
            "sklearn",
            "1.2",
            "us-west-2",
            False,
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        ),
        (
            "pytorch",
            "2.1.0",
            "us-east-1",
            True,
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310",
        ),
        (
            "pytorch",
            "2.6",
            "ap-south-1",
            False,
            "763104351884.dkr.ecr.ap-south-1.amazonaws.com/pytorch-inference:2.6.0-cpu-py312",
        ),
        (
            "tensorflow",
            "2.13",
            "eu-central-1",
            False,
            "763104351884.dkr.ecr.eu-central-1.amazonaws.com/tensorflow-inference:2.13.0-cpu",
        ),
        (
            "huggingface",
            "4.49.0",
            "us-west-2",
            True,
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-inference:"
            "2.6.0-transformers4.49.0-gpu-py312-cu124-ubuntu22.04",
        ),
        (
            "huggingface",
            "4.49",
            "us-west-2",
            False,
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-inference:"
            "2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04",
        ),
        (
            "huggingface",
            "4.37.0",
            "us-east-1",
            True,
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
            "2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04",
        ),
        (
            "pytorch",
            "2.3.0",
            "me-central-1",
            True,
            "914824155844.dkr.ecr.me-central-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311",
        ),
    ],
)
def test_inference_image_uri(framework: str, version: str, region: str, gpu: bool, uri: str) -> None:
    assert inference_image(framework, version, region, gpu) == uri


@pytest.mark.parametrize(
    ("framework", "version", "resolved"),
    [
        ("xgboost", "1.7-1", "1.7-1"),  # exact
        ("xgboost", "1.7", "1.7-1"),  # major.minor
        ("xgboost", "1.7.6", "1.7-1"),  # patch ignored
        ("xgboost", "3.0", "3.0-5"),
        ("sklearn", "1.2.2", "1.2-1"),
        ("pytorch", "2.1", "2.1.0"),
        ("pytorch", "2.5.0", "2.5.1"),  # same minor, other patch
        ("tensorflow", "2.16", "2.16.1"),
        ("huggingface", "4.51", "4.51.3"),
        # forward-compatible formats take the nearest newer minor of the same major (runtimecatalog policy)
        ("tensorflow", "2.15", "2.16.1"),
        ("huggingface", "4.44", "4.48.0"),
        ("onnx", "1.16", "26.05"),  # Triton serves ONNX format major 1: the newest Triton
    ],
)
def test_version_matching(framework: str, version: str, resolved: str) -> None:
    assert catalog.resolve_version(framework, version) == resolved


@pytest.mark.parametrize(
    ("framework", "version"),
    [
        ("xgboost", "1.8"),
        ("xgboost", "1"),
        ("pytorch", "2.7.0"),
        ("tensorflow", "2.20"),
        ("sklearn", "1.3"),  # pickles need the same major.minor: 1.2-1 and 1.4-2 do not serve 1.3
        ("sklearn", "latest"),
    ],
)
def test_unknown_version_lists_the_catalog_versions(framework: str, version: str) -> None:
    with pytest.raises(CatalogError) as raised:
        inference_image(framework, version, "us-east-1", gpu=False)
    assert raised.value.alternatives == tuple(catalog.images()[framework])
    assert version in raised.value.message


@pytest.mark.parametrize("framework", ["lightgbm", "custom"])
def test_framework_without_prebuilt_image_asks_for_serving_image(framework: str) -> None:
    with pytest.raises(CatalogError, match=r"serving\.image_mirrors\.sagemaker") as raised:
        inference_image(framework, "1.0", "us-east-1", gpu=False)
    assert raised.value.alternatives == ("huggingface", "onnx", "pytorch", "sklearn", "tensorflow", "xgboost")


def test_onnx_is_served_by_triton() -> None:
    uri = inference_image("onnx", "1.16", "us-east-1", gpu=True)
    assert uri == "763104351884.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:26.05-py3"


def test_sklearn_opt_in_to_a_newer_minor() -> None:
    assert catalog.resolve_version("sklearn", "1.3", compatibility="minor") == "1.4-2-py312"
    assert catalog.resolve_version("sklearn", "1.5", compatibility="major") == "1.4-2-py312"
    with pytest.raises(CatalogError, match="compatibility: major"):
        catalog.resolve_version("sklearn", "1.5", compatibility="minor")


def test_unknown_region_lists_the_regions() -> None:
    with pytest.raises(CatalogError) as raised:
        inference_image("pytorch", "2.1", "mars-north-1", gpu=False)
    assert raised.value.alternatives == catalog.REGIONS


def test_sklearn_has_no_gpu_image() -> None:
    with pytest.raises(CatalogError, match="CPU only") as raised:
        inference_image("sklearn", "1.2", "us-east-1", gpu=True)
    assert "sklearn" not in raised.value.alternatives
    assert "pytorch" in raised.value.alternatives


def test_error_text_names_the_alternatives() -> None:
    error = CatalogError("no image", ("a", "b"))
    assert str(error) == "no image (alternatives: a, b)"
    assert str(CatalogError("no image")) == "no image"


def test_required_regions_are_covered_by_both_registries() -> None:
    for registry in catalog.REGISTRIES.values():
        assert set(REQUIRED_REGIONS) <= set(registry)
        assert all(re.fullmatch(r"\d{12}", account) for account in registry.values())
    assert set(catalog.REGISTRIES[catalog.ALGORITHMS]) == set(catalog.REGISTRIES[catalog.DLC])


def test_every_image_resolves_in_every_region() -> None:
    pattern = re.compile(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[a-z0-9-]+:[A-Za-z0-9._-]+")
    for framework, images in catalog.images().items():
        for version, image in images.items():
            assert image.framework == framework
            assert image.version == version
            assert image.regions, image
            for region in image.regions:
                for gpu in (False, True) if image.gpu_tag else (False,):
                    # Triton's versions are its own (onnx is served as format major 1: test_onnx_is_served_by_triton)
                    uri = (
                        image.uri(region, gpu)
                        if framework == "onnx"
                        else inference_image(framework, version, region, gpu)
                    )
                    assert pattern.fullmatch(uri), uri
                    assert f".{region}." in uri


def test_catalog_constants_are_read_only() -> None:
    with pytest.raises(TypeError):
        cast("dict[str, object]", catalog.images())["mxnet"] = {}
    with pytest.raises(TypeError):
        cast("dict[str, object]", catalog.INSTANCE_TYPES)["ml.x.large"] = None


# ---------------------------------------------------------------------------- instance types


@pytest.mark.parametrize(
    ("cpu", "memory_gb", "gpu", "region", "expected"),
    [
        (2, 4, 0, "us-east-1", "ml.c5.large"),
        (0.5, 1, 0, "us-east-1", "ml.c5.large"),
        (2, 6, 0, "us-east-1", "ml.m5.large"),
        (2, 12, 0, "us-east-1", "ml.r5.large"),  # a 2-vCPU r5 beats a 4-vCPU m5
        (4, 16, 0, "us-east-1", "ml.m5.xlarge"),
        (36, 64, 0, "us-east-1", "ml.c5.9xlarge"),
        (64, 100, 0, "us-east-1", "ml.c6i.16xlarge"),
        (1, 2, 1, "us-east-1", "ml.g4dn.xlarge"),
        (8, 60, 1, "us-east-1", "ml.g4dn.4xlarge"),  # T4 family before a V100 p3.2xlarge
        (4, 16, 4, "us-east-1", "ml.g4dn.12xlarge"),
        (4, 16, 8, "us-east-1", "ml.g5.48xlarge"),
        (2, 4, 1, "ap-southeast-3", "ml.g5.xlarge"),  # no g4dn there
        (8, 60, 0, "us-east-1", "ml.r5.2xlarge"),
        (8, 60, 0, "ap-south-2", "ml.m5.4xlarge"),  # no r5.2xlarge there
        (32, 100, 0, None, "ml.m6i.8xlarge"),  # without a region every type counts
    ],
)
def test_pick_instance(cpu: float, memory_gb: float, gpu: int, region: str | None, expected: str) -> None:
    assert pick_instance(cpu, memory_gb, gpu, region=region) == expected


def test_pick_instance_refuses_what_does_not_fit() -> None:
    with pytest.raises(CatalogError) as raised:
        pick_instance(8, 32, 1, region="eu-central-2")  # no GPU hosting there
    assert raised.value.alternatives == ()
    with pytest.raises(CatalogError) as raised:
        pick_instance(200, 8, 0, region="us-east-1")
    assert raised.value.alternatives == (
        "ml.c5.18xlarge",
        "ml.m5.24xlarge",
        "ml.r5.24xlarge",
        "ml.c6i.32xlarge",
    )
    with pytest.raises(CatalogError) as raised:
        pick_instance(4, 16, 16, region="us-east-1")
    assert raised.value.alternatives == ("ml.g4dn.12xlarge", "ml.g5.48xlarge")
    with pytest.raises(CatalogError) as raised:
        pick_instance(2, 4, 0, region="mars-north-1")
    assert raised.value.alternatives == catalog.REGIONS


def test_check_instance() -> None:
    assert catalog.check_instance("ml.g5.xlarge", "us-east-1", 1).gpus == 1
    with pytest.raises(CatalogError, match="unknown"):
        catalog.check_instance("ml.m5.huge", "us-east-1", 0)
    with pytest.raises(CatalogError, match="not offered") as raised:
        catalog.check_instance("ml.g5.xlarge", "us-west-1", 1)
    assert raised.value.alternatives[0] == "ml.g4dn.xlarge"
    with pytest.raises(CatalogError, match="0 GPU") as raised:
        catalog.check_instance("ml.m5.large", "us-east-1", 1)
    assert "ml.g4dn.xlarge" in raised.value.alternatives
    assert all(catalog.INSTANCE_TYPES[name].gpus for name in raised.value.alternatives)


def test_instance_specs_are_consistent() -> None:
    for name, instance in catalog.INSTANCE_TYPES.items():
        assert name == f"ml.{instance.family}.{name.split('.')[2]}"
        assert instance.family in catalog.FAMILY_ORDER
        assert (instance.gpus > 0) == (instance.family[0] in "gp")
        assert (instance.gpu_memory_gib > 0) == (instance.gpus > 0)
        assert instance.memory_gib >= 2 * instance.vcpu  # every listed family has >= 2 GiB per vCPU
    for family in catalog.FAMILY_ORDER:
        assert any(i.family == family for i in catalog.INSTANCE_TYPES.values())


def _cfnlint_json(package: str, name: str) -> Any:
    return json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))


def test_instance_types_are_valid_endpoint_config_values_for_cfn_lint() -> None:
    providers = _cfnlint_json("cfnlint.data.schemas.providers", "us-east-1.json")
    schema = _cfnlint_json("cfnlint.data.schemas.resources", f"{providers['AWS::SageMaker::EndpointConfig']}.json")
    allowed = set(schema["definitions"]["ProductionVariant"]["properties"]["InstanceType"]["enum"])
    assert set(catalog.INSTANCE_TYPES) <= allowed


def test_hosting_availability_matches_cfn_lint_pricing_data() -> None:
    hosting = _cfnlint_json("cfnlint.data.schemas.extensions.aws_sagemaker_hosting", "instancetype_enum.json")
    assert set(catalog.HOSTING_AVAILABILITY) == set(catalog.REGIONS)
    for region, offered in catalog.HOSTING_AVAILABILITY.items():
        expected = set(catalog.INSTANCE_TYPES) & set(hosting[region]["enum"])
        assert offered == expected, region
