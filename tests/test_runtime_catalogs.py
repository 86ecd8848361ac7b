"""The runtime catalogs as data: the compatibility policy, the lazy loader, and each catalog held to the
vendor material it is rebuilt from, where that material is installed here (google-cloud-aiplatform, a
test dependency; ../shared's KServe runtimes: tests/test_kserve_runtimes.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from mlopsc.targets import refresh_runtimes, runtimecatalog
from mlopsc.targets.runtimecatalog import Compatibility, NoRuntime, choose, version_key


@pytest.mark.parametrize(
    ("version", "key"),
    [("1.7", (1, 7)), ("1.7.6", (1, 7)), ("1", (1,)), ("1.4-2-py312", (1, 4)), ("2.10.1", (2, 10)), ("x", None)],
)
def test_version_key(version: str, key: tuple[int, ...] | None) -> None:
    assert version_key(version) == key


@pytest.mark.parametrize(
    ("framework", "version", "compatibility", "expected"),
    [
        ("sklearn", "1.2.2", None, "1.2-1"),  # exact: same major.minor, any patch
        ("sklearn", "1.3", "minor", "1.4-2-py312"),  # opted in: nearest newer minor
        ("sklearn", "1.5", "major", "1.4-2-py312"),  # opted in: nearest older when no newer
        ("pytorch", "2.5.0", None, "2.5.1"),
        ("tensorflow", "2.15", None, "2.16.1"),  # minor: nearest newer, not the newest
        ("huggingface", "4.44", None, "4.48.0"),
        ("xgboost", "3.1", "minor", "3.2-0"),
    ],
)
def test_policy_on_sagemaker(framework: str, version: str, compatibility: str | None, expected: str) -> None:
    assert choose("sagemaker", framework, version, compatibility).entry.version == expected


@pytest.mark.parametrize(
    ("framework", "version", "compatibility", "hint"),
    [
        ("sklearn", "1.3", None, "compatibility: minor"),
        ("sklearn", "1.5", "minor", "compatibility: major"),
        ("pytorch", "3.0", "major", ""),  # never across majors
        ("xgboost", "1", None, ""),  # a bare major says too little for major.minor images
        ("lightgbm", "4.1", None, ""),  # no image at all
    ],
)
def test_policy_refusals_name_what_would_work(
    framework: str, version: str, compatibility: str | None, hint: str
) -> None:
    with pytest.raises(NoRuntime) as caught:
        choose("sagemaker", framework, version, compatibility)
    assert "serving.image_mirrors.sagemaker" in caught.value.alternatives
    if hint:
        assert hint in caught.value.message
    else:
        assert "would accept" not in caught.value.message


def test_defaults_follow_the_format() -> None:
    assert runtimecatalog.policy_for("sklearn", None) is Compatibility.EXACT
    assert runtimecatalog.policy_for("onnx", None) is Compatibility.MINOR
    assert runtimecatalog.policy_for("sklearn", "major") is Compatibility.MAJOR


def test_choice_note_names_rule_and_source() -> None:
    choice = choose("vertex", "tensorflow", "2.13.1")
    assert choice.note.startswith("tf2 (vertex-ai/prediction/tf2-cpu.2-13:latest): tensorflow 2.13 serves 2.13.1")
    assert "source: google-cloud-aiplatform" in choice.note


@pytest.mark.parametrize("platform", runtimecatalog.PLATFORMS)
def test_catalog_files_are_sorted_and_sourced(platform: str) -> None:
    path = runtimecatalog.catalog_path(platform)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=1, sort_keys=True) + "\n"
    entries = runtimecatalog.catalog(platform)
    assert entries and all(e.source and e.serves and e.protocols and e.processors for e in entries)
    assert all(e.artifact.kind in runtimecatalog.LAYOUTS for e in entries)


def test_vertex_catalog_is_the_installed_aiplatform_list() -> None:
    """Rebuilt from the installed google-cloud-aiplatform (the Hugging Face entries come from another
    source and are compared as committed)."""
    prediction, version = refresh_runtimes.installed_aiplatform()
    committed = json.loads(runtimecatalog.catalog_path("vertex").read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(refresh_runtimes.vertex(prediction, version)))
    ours = [e for e in committed["entries"] if e["framework"] != "huggingface"]
    assert ours == fresh["entries"], f"google-cloud-aiplatform {version}: run the vertex refresh"


def test_azureml_and_sagemaker_catalogs_match_an_installed_source() -> None:
    """sagemaker-core ships image_uri_config/; .ci/run installs it without its dependencies (its boto3 range
    excludes checkov's pin): every committed entry must still be in it."""
    try:
        dist = metadata.distribution("sagemaker-core")
    except metadata.PackageNotFoundError:
        pytest.skip("sagemaker-core is not installed; targets/sagemaker/runtimes.json records its SDK tag")
    folder = Path(str(dist.locate_file("sagemaker/core/image_uri_config")))
    fresh = refresh_runtimes.sagemaker(folder, dist.version)
    have = {(e["framework"], e["version"], e["image"]) for e in fresh["entries"]}  # type: ignore[union-attr]
    for entry in runtimecatalog.catalog("sagemaker"):
        assert (entry.framework, entry.version, entry.image) in have


def test_loading_is_lazy() -> None:
    """`mlopsc validate`'s imports never read a catalog; the first resolve does, once."""
    code = (
        "import sys, json\n"
        "import mlopsc.compiler.cli, mlopsc.compiler.passes, mlopsc.targets.registry\n"
        "from mlopsc.targets import runtimecatalog\n"
        "print(json.dumps(runtimecatalog.catalog.cache_info().currsize))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
