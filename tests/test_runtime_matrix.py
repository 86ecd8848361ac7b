"""The serving matrix, compiled: for every framework x catalog version x platform, the smallest online spec
renders exactly when `mlopsc runtimes` says it does, to what it says, and its files pass the platform's
validators (tests/validators/, which include the KServe runtime-selection model); a refusal names
`serving.image_mirrors.<platform>`. Also the issue #17 table, re-run, and a serving image for one platform."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import Emitted, Options, RenderedFile
from mlopsc.compiler.passes import run
from mlopsc.targets import matrix, runtimecatalog
from tests.behaviour.kserve_runtime import installed_runtimes, selected_runtime
from tests.conftest import shared_path
from tests.fixed_clock import TODAY
from tests.validators.rendered import problems

PLATFORM_SETTINGS = {
    "kserve": "  kserve:\n    namespace: ds-sandbox\n",
    "sagemaker": "  sagemaker:\n    region: us-east-1\n    execution_role_arn: arn:aws:iam::123456789012:role/ml\n",
    "vertex": "  vertex:\n    project: acme-ml\n    region: us-central1\n",
    "azureml": "  azureml:\n    workspace: ml-ws\n    resource_group: rg-ml\n    region: westeurope\n",
}
REFUSAL_CODES = {"kserve": {"KSV001"}, "sagemaker": {"SGM001"}, "vertex": {"VTX001"}, "azureml": {"AML001", "AML014"}}


def artifact(platform: str, framework: str, version: str) -> str:
    """An artifact location laid out as the platform's server for the cell loads it."""
    if platform == "sagemaker":
        return "s3://acme-models/m/1.0.0/model.tar.gz"
    if platform == "vertex":
        return "gs://acme-models/m/1.0.0/"
    if platform == "azureml":
        return "azureml://datastores/models/paths/m/1.0.0/"
    cell = matrix.CELLS["kserve"](framework, version)
    if not cell.ok:
        return "s3://acme-models/m/1.0.0/"
    runtime = str(cell.resolves_to).split(" ")[0]
    entry = next(e for e in runtimecatalog.entries("kserve", framework) if e.runtime == runtime)
    if entry.artifact.kind != "file":
        return "s3://acme-models/m/1.0.0/"
    name = entry.artifact.files[0] if entry.artifact.files else "model" + entry.artifact.extensions[0]
    return f"s3://acme-models/m/1.0.0/{name}"


def spec(platform: str, framework: str, version: str, extra_serving: str = "") -> str:
    return (
        "apiVersion: mlopsc/v1\nkind: ModelDeployment\nmetadata:\n  name: matrix-model\n  owner: ds@example.com\n"
        f'model:\n  type: classification\n  framework: {{name: {framework}, version: "{version}"}}\n'
        f"  version: 1.0.0\n  artifact:\n    uri: {artifact(platform, framework, version)}\n"
        "serving:\n  mode: online\n  resources: {cpu: 2, memory_gb: 8}\n  scale: {rps: 20, latency_ms: 300}\n"
        f"{extra_serving}governance:\n  level: experimental\n  risk: low\nplatforms:\n{PLATFORM_SETTINGS[platform]}"
    )


@functools.cache
def compiled(text: str, platform: str) -> tuple[tuple[Diagnostic, ...], tuple[RenderedFile, ...]]:
    ir = run("mlops.yaml", text.encode(), Options(targets=(platform,), today=TODAY))
    files = tuple(ir.files) if isinstance(ir, Emitted) else ()
    return tuple(ir.diagnostics), files


@functools.cache
def _kserve_runtimes() -> list[dict[str, object]]:
    return installed_runtimes(shared_path("runtimes", "kserve-v0.20.0"))


def _resolved(files: tuple[RenderedFile, ...]) -> str:
    return "\n".join(f.content for f in files)


CELLS = [cell for row in matrix.matrix() for cell in row]


@pytest.mark.parametrize("cell", CELLS, ids=[f"{c.framework}-{c.version}-{c.platform}" for c in CELLS])
def test_cell_compiles_as_the_matrix_says(cell: matrix.Cell) -> None:
    diagnostics, files = compiled(spec(cell.platform, cell.framework, cell.version), cell.platform)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if not cell.ok:
        assert errors, f"{cell} renders, yet the matrix says it cannot"
        codes = {d.code for d in errors}
        assert codes & REFUSAL_CODES[cell.platform], [(d.code, d.message) for d in errors]
        text = " ".join(f"{d.message} {d.hint}" for d in errors if d.code in REFUSAL_CODES[cell.platform])
        assert f"serving.image_mirrors.{cell.platform}" in text, text
        return
    assert not errors, [(d.code, d.message) for d in errors]
    rendered = _resolved(files)
    what = str(cell.resolves_to)
    if cell.platform == "kserve":
        runtime = what.split(" ", maxsplit=1)[0]
        (isvc,) = [f.body for f in files if f.kind == "InferenceService"]
        assert isinstance(isvc, dict)
        # the runtime the behaviour model of KServe selects for the rendered file is the one announced
        assert selected_runtime(isvc, _kserve_runtimes()) == runtime
    elif cell.platform == "sagemaker":
        repository, tag = what.split(":", 1)
        assert f"/{repository}:{tag}" in rendered
    elif cell.platform == "vertex":
        assert what.rsplit("/", 1)[-1] in rendered
    elif what.startswith("minimal-py311-inference + conda "):
        assert "conda_file: ./score/conda.yaml" in rendered
        assert what.rsplit(" ", 1)[-1] in rendered
    else:
        assert f"/environments/{what}/" in rendered


# Vendor validators (cfn-lint, azure-ai-ml's schemas, the Vertex protos, the KServe CRDs and the runtime
# selection model) take ~0.1-1 s a file: run them on the cells of issue #17's table and on the oldest and
# newest version of each framework.
def _validated() -> list[matrix.Cell]:
    chosen = []
    for framework in matrix.FRAMEWORKS:
        versions = matrix.versions(framework)
        wanted = {versions[0], versions[-1], *matrix.EXTRA_VERSIONS[framework]}
        chosen += [c for c in CELLS if c.framework == framework and c.version in wanted and c.ok]
    return chosen


VALIDATED = _validated()


@pytest.mark.parametrize("cell", VALIDATED, ids=[f"{c.framework}-{c.version}-{c.platform}" for c in VALIDATED])
def test_rendered_cell_passes_the_platform_validators(cell: matrix.Cell) -> None:
    _, files = compiled(spec(cell.platform, cell.framework, cell.version), cell.platform)
    assert files
    failures = {f.path: p for f in files if (p := problems(f))}
    assert not failures, failures


# Issue #17's table, re-run: each cell now renders, or is refused because the platform publishes no
# server for it (the reason is named).
ISSUE_TABLE: dict[tuple[str, str], dict[str, str]] = {
    ("sklearn", "1.2"): {"kserve": "ok", "sagemaker": "ok", "vertex": "ok", "azureml": "ok"},
    ("sklearn", "1.3"): {"kserve": "ok", "sagemaker": "SGM001", "vertex": "ok", "azureml": "ok"},
    ("sklearn", "1.5"): {"kserve": "ok", "sagemaker": "SGM001", "vertex": "ok", "azureml": "ok"},
    ("xgboost", "1.7"): {"kserve": "ok", "sagemaker": "ok", "vertex": "ok", "azureml": "ok"},
    ("xgboost", "2.0"): {"kserve": "ok", "sagemaker": "SGM001", "vertex": "ok", "azureml": "ok"},
    ("lightgbm", "4.1"): {"kserve": "ok", "sagemaker": "SGM001", "vertex": "VTX001", "azureml": "ok"},
    ("pytorch", "2.1"): {"kserve": "ok", "sagemaker": "ok", "vertex": "ok", "azureml": "ok"},
    ("tensorflow", "2.13"): {"kserve": "ok", "sagemaker": "ok", "vertex": "ok", "azureml": "ok"},
    ("tensorflow", "2.15"): {"kserve": "ok", "sagemaker": "ok", "vertex": "ok", "azureml": "ok"},
    ("onnx", "1.16"): {"kserve": "ok", "sagemaker": "ok", "vertex": "VTX001", "azureml": "ok"},
    ("huggingface", "4.44"): {"kserve": "ok", "sagemaker": "ok", "vertex": "ok", "azureml": "ok"},
    ("huggingface", "4.48"): {"kserve": "ok", "sagemaker": "ok", "vertex": "ok", "azureml": "ok"},
}


@pytest.mark.parametrize("key", sorted(ISSUE_TABLE), ids=[f"{f}-{v}" for f, v in sorted(ISSUE_TABLE)])
def test_issue_table(key: tuple[str, str]) -> None:
    framework, version = key
    for platform, expected in ISSUE_TABLE[key].items():
        diagnostics, _ = compiled(spec(platform, framework, version), platform)
        codes = sorted({d.code for d in diagnostics if d.severity is Severity.ERROR})
        assert codes == ([] if expected == "ok" else [expected]), (platform, codes)


def test_serving_image_for_one_platform() -> None:
    """lightgbm: KServe serves it natively (MLServer), SageMaker with the image given for SageMaker
    alone; without an image Vertex AI refuses and names serving.image_mirrors.vertex."""
    mirror = "  image_mirrors:\n    sagemaker: 123456789012.dkr.ecr.us-east-1.amazonaws.com/lgbm-serve:1.0\n"
    _, kserve_files = compiled(spec("kserve", "lightgbm", "4.1", mirror), "kserve")
    assert "kserve-container" not in _resolved(kserve_files) and "name: lightgbm" in _resolved(kserve_files)
    diagnostics, files = compiled(spec("sagemaker", "lightgbm", "4.1", mirror), "sagemaker")
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]
    assert "lgbm-serve:1.0" in _resolved(files)
    diagnostics, _ = compiled(spec("vertex", "lightgbm", "4.1", mirror), "vertex")
    (refusal,) = [d for d in diagnostics if d.code == "VTX001"]
    assert "serving.image_mirrors.vertex" in refusal.hint


def test_azureml_image_mirror_alone_replaces_the_curated_environment() -> None:
    mirror = "  image_mirrors:\n    azureml: acme.azurecr.io/xgb-serve@sha256:" + "a" * 64 + "\n"
    _, files = compiled(spec("azureml", "xgboost", "1.7", mirror), "azureml")
    text = _resolved(files)
    assert "acme.azurecr.io/xgb-serve" in text and "environments/lightgbm-3.3" not in text
    _, files = compiled(spec("azureml", "xgboost", "1.7"), "azureml")
    assert "environments/lightgbm-3.3" in _resolved(files)


def test_kserve_image_mirror_alone_is_a_custom_predictor() -> None:
    mirror = "  image_mirrors:\n    kserve: ghcr.io/acme/lgbm-serve@sha256:" + "b" * 64 + "\n"
    _, files = compiled(spec("kserve", "lightgbm", "4.1", mirror), "kserve")
    text = _resolved(files)
    assert "ghcr.io/acme/lgbm-serve" in text and "modelFormat" not in text


def test_cli_and_docs_agree(cli_run: Any) -> None:
    """`mlopsc runtimes --format markdown` prints the table of docs/runtimes.md (generated from the same data)."""
    from pathlib import Path

    table = cli_run(["runtimes", "--format", "markdown"], expect=0).stdout
    page = (Path(__file__).resolve().parents[1] / "docs" / "runtimes.md").read_text(encoding="utf-8")
    assert page.endswith(table)


def test_cli_filters_and_names_the_fix(cli_run: Any) -> None:
    out = cli_run(["runtimes", "--framework", "lightgbm", "--platform", "sagemaker", "--platform", "kserve"], expect=0)
    assert out.stdout.startswith("lightgbm 4.1\n  kserve     kserve-mlserver (lightgbm:4, v2)\n  sagemaker  no: ")
    assert "serving.image_mirrors.sagemaker" in out.stdout
    assert "sklearn" not in out.stdout and "vertex" not in out.stdout
    data = json.loads(cli_run(["runtimes", "--framework", "onnx", "--format", "json"], expect=0).stdout)
    assert {(c["platform"], c["resolves_to"] is None) for c in data} == {
        ("kserve", False),
        ("sagemaker", False),
        ("vertex", True),
        ("azureml", False),  # score.py with onnxruntime, built from the minimal image and score/conda.yaml
    }
    cli_run(["runtimes", "--framework", "mxnet"], expect=2)


def test_azureml_builds_an_environment_for_uncurated_versions() -> None:
    """sklearn 1.3 has no curated environment: score/conda.yaml pins it from PyPI with what score.py
    imports; the deployment points at it; a version without a minor cannot be pinned (AML014)."""
    _, files = compiled(spec("azureml", "sklearn", "1.3"), "azureml")
    by_name = {f.path.rsplit("/azureml/", 1)[1]: f for f in files if f.platform == "azureml"}
    conda = by_name["score/conda.yaml"].body
    assert isinstance(conda, dict)
    assert conda["dependencies"][-1] == {
        "pip": ["azureml-inference-server-http", "pandas", "scikit-learn==1.3.*", "joblib"]
    }
    deployment = by_name["deployment-v1-0-0.yaml"].body
    assert isinstance(deployment, dict)
    assert deployment["environment"] == {
        "image": "mcr.microsoft.com/azureml/curated/minimal-py311-inference:latest",
        "conda_file": "./score/conda.yaml",
    }
    diagnostics, _ = compiled(spec("azureml", "sklearn", "1"), "azureml")
    assert [d.code for d in diagnostics if d.severity is Severity.ERROR] == ["AML014"]


def test_sagemaker_serves_onnx_with_triton() -> None:
    """ONNX on SageMaker: the SDK's sagemaker-tritonserver image, told which model of the repository
    in model.tar.gz to serve (SAGEMAKER_TRITON_DEFAULT_MODEL_NAME = the spec's name)."""
    diagnostics, files = compiled(spec("sagemaker", "onnx", "1.16"), "sagemaker")
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]
    (template,) = [f.body for f in files if f.platform == "sagemaker" and f.path.endswith("template.yaml")]
    assert isinstance(template, dict)
    models = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    container = models[0]["Properties"]["PrimaryContainer"]
    assert container["Image"] == "763104351884.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:26.05-py3"
    assert container["Environment"]["SAGEMAKER_TRITON_DEFAULT_MODEL_NAME"] == "matrix-model"


def test_vertex_hugging_face_image_is_pinned_by_its_name_in_production() -> None:
    """Google lists its Hugging Face containers untagged; rendered as `:latest` with the versions in the
    name, like Vertex AI's own prebuilt images, production accepts them (PRD003), with VTX020's warning."""
    text = spec("vertex", "huggingface", "4.48").replace("level: experimental", "level: production")
    diagnostics, _ = compiled(text, "vertex")
    assert "PRD003" not in {d.code for d in diagnostics}
    assert "VTX020" in {d.code for d in diagnostics}
