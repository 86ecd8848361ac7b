"""The Vertex AI target: the root mlops.yaml renders bodies the API types accept, every refusal has
its code at the right place, the validator is strict, and apply.sh runs its calls in order."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.ir import Emitted, Options, RenderedFile
from mlopsc.compiler.passes import run
from mlopsc.targets.vertex import drift, naming
from tests.validators.vertex import check_rendered
from tests.vertex_fake import FakeVertex

ROOT = Path(__file__).resolve().parents[1]
VERTEX = Options(targets=("vertex",))

BASE = """\
apiVersion: mlopsc/v1
kind: ModelDeployment
metadata:
  name: fraud-model
  owner: risk@example.com
model:
  type: classification
  framework: {name: xgboost, version: "1.7"}
  version: 1.2.0
  artifact:
    uri: gs://models/fraud/1.2.0/
  signature:
    inputs: [{name: amount, type: double}, {name: country, type: string}]
    outputs: [{name: score, type: double}]
serving:
  mode: online
  env:
    TOKEN: {secret: api-token}
  resources: {cpu: 2, memory_gb: 4}
  scale: {rps: 100, latency_ms: 200}
rollout:
  strategy: canary
  traffic: 10
  previous:
    version: 1.1.0
    artifact: {uri: gs://models/fraud/1.1.0/}
monitoring:
  drift: {features: [amount, country]}
governance:
  level: staging
  risk: medium
platforms:
  vertex:
    project: acme-ml
    region: us-central1
    service_account: fraud@acme-ml.iam.gserviceaccount.com
secrets:
  api-token:
    vertex: projects/acme-ml/secrets/api-token/versions/1
"""


def compile_spec(text: str) -> tuple[list[Diagnostic], list[RenderedFile]]:
    ir = run("mlops.yaml", text.encode(), VERTEX)
    files = [f for f in ir.files if f.platform == "vertex"] if isinstance(ir, Emitted) else []
    return list(ir.diagnostics), files


def mutate(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]


def test_base_renders_and_validates() -> None:
    diagnostics, files = compile_spec(BASE)
    assert errors(diagnostics) == []
    names = {f.path.rsplit("/", 1)[-1] for f in files}
    assert {"model.json", "endpoint.json", "deploy-model.json", "monitoring-job.json", "apply.sh"} <= names
    assert {f.path: p for f in files if f.kind != "Sidecar" and (p := check_rendered(f))} == {}


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_root_spec_renders_for_every_environment(environment: str) -> None:
    spec = ROOT / "mlops.yaml"
    ir = run("mlops.yaml", spec.read_bytes(), Options(targets=("vertex",), environments=(environment,)))
    assert isinstance(ir, Emitted)
    assert [d for d in ir.diagnostics if d.is_error] == []
    files = [f for f in ir.files if f.platform == "vertex" and f.kind != "Sidecar"]
    kinds = {f.path.rsplit("/", 1)[-1]: f.kind for f in files}
    assert kinds == {
        "model.json": "Model",
        "endpoint.json": "Endpoint",
        "deploy-model.json": "DeployModelRequest",
        "monitoring-job.json": "ModelDeploymentMonitoringJob",
        "retraining-schedule.json": "Schedule",
        "apply.json": "ApplySettings",
        "apply.sh": "ApplyScript",
        "README.md": "Readme",
    }
    assert {f.path: p for f in files if (p := check_rendered(f))} == {}
    deploy = next(f for f in files if f.kind == "DeployModelRequest").body
    assert isinstance(deploy, dict)
    expected = {"0": 100} if environment == "staging" else {"0": 5, "1002000000": 95}
    assert deploy["trafficSplit"] == expected


REFUSALS = [
    pytest.param(
        mutate("strategy: canary", "strategy: shadow"), "VTX005", ("rollout", "strategy"), "mirror", id="shadow"
    ),
    pytest.param(
        mutate("uri: gs://models/fraud/1.2.0/", "uri: s3://models/fraud/1.2.0/model.tar.gz"),
        "VTX004",
        ("model", "artifact", "uri"),
        "Cloud Storage",
        id="s3-artifact-without-mirror",
    ),
    pytest.param(
        mutate(
            "  mode: online\n",
            "  mode: online\n  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-serve:1.2.0\n",
        ),
        "VTX002",
        ("serving", "image"),
        "Artifact Registry",
        id="ecr-image-without-mirror",
    ),
    pytest.param(
        mutate("memory_gb: 4}", "memory_gb: 4, gpu: 1, gpu_type: nvidia-h200}"),
        "VTX006",
        ("serving", "resources", "gpu_type"),
        "unknown GPU type",
        id="unknown-gpu-type",
    ),
    pytest.param(
        mutate('{name: xgboost, version: "1.7"}', '{name: lightgbm, version: "4.3"}'),
        "VTX001",
        ("model", "framework"),
        "no prebuilt prediction image",
        id="framework-without-prebuilt-image",
    ),
    pytest.param(
        mutate(
            "    vertex: projects/acme-ml/secrets/api-token/versions/1\n",
            "    kserve: {secret_key_ref: {name: a, key: b}}\n",
        ),
        "VTX007",
        ("secrets", "api-token"),
        "no Vertex AI reference",
        id="secret-without-vertex-entry",
    ),
    pytest.param(
        mutate("drift: {features: [amount, country]}", "drift: {method: ks, features: [amount]}"),
        "VTX011",
        ("monitoring", "drift", "method"),
        "cannot be converted",
        id="ks-drift",
    ),
    pytest.param(
        BASE + "retraining:\n  schedule: '0 2 * * 0'\n  pipeline:\n"
        "    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1\n    command: [python, train.py]\n",
        "VTX003",
        ("retraining", "pipeline", "image"),
        "Vertex AI Pipelines",
        id="ecr-pipeline-image-without-mirror",
    ),
    pytest.param(
        mutate("    region: us-central1\n", "    region: us-central1\n    kms_key_name: alias/ml\n"),
        "VTX008",
        ("platforms", "vertex", "kms_key_name"),
        "Cloud KMS key",
        id="kms-alias",
    ),
]


@pytest.mark.parametrize(("text", "code", "path", "fragment"), REFUSALS)
def test_refusal(text: str, code: str, path: tuple[str, ...], fragment: str) -> None:
    diagnostics, files = compile_spec(text)
    found = [d for d in errors(diagnostics) if d.code == code]
    assert found, [str(d) for d in diagnostics]
    assert found[0].path == path
    assert fragment in found[0].message
    assert found[0].line > 0
    assert files == []


def test_refusal_names_the_mirror_field() -> None:
    text = mutate("  mode: online\n", "  mode: online\n  image: docker.io/acme/fraud-serve@sha256:" + "a" * 64 + "\n")
    (diagnostic,) = [d for d in errors(compile_spec(text)[0]) if d.code == "VTX002"]
    assert "serving.image_mirrors.vertex" in diagnostic.hint
    framework = mutate('{name: xgboost, version: "1.7"}', '{name: lightgbm, version: "4.1"}')
    (diagnostic,) = [d for d in errors(compile_spec(framework)[0]) if d.code == "VTX001"]
    assert "serving.image_mirrors.vertex" in diagnostic.hint
    assert "huggingface, pytorch, sklearn, tensorflow, xgboost" in diagnostic.hint


def test_image_mirror_and_artifact_mirror_are_used() -> None:
    text = mutate(
        "  mode: online\n",
        "  mode: online\n  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/serve@sha256:"
        + "b" * 64
        + "\n  image_mirrors: {vertex: us-docker.pkg.dev/acme-ml/serve/serve@sha256:"
        + "b" * 64
        + "}\n",
    ).replace(
        "uri: gs://models/fraud/1.2.0/",
        "uri: s3://models/fraud/1.2.0/\n    mirrors: {vertex: gs://models-copy/fraud/1.2.0/}",
    )
    diagnostics, files = compile_spec(text)
    assert errors(diagnostics) == []
    assert not [d for d in diagnostics if d.code == "VTX020"]  # a digest-pinned image: no :latest warning
    model = next(f for f in files if f.kind == "Model").body
    assert isinstance(model, dict)
    assert model["artifactUri"] == "gs://models-copy/fraud/1.2.0/"
    container = model["containerSpec"]
    assert isinstance(container, dict)
    assert container["imageUri"].startswith("us-docker.pkg.dev/acme-ml/serve/serve@sha256:")
    assert container["env"] == [{"name": "TOKEN_SECRET", "value": "projects/acme-ml/secrets/api-token/versions/1"}]


def test_prebuilt_image_and_drift_conversion_are_warned() -> None:
    diagnostics, _ = compile_spec(BASE)
    codes = {d.code for d in diagnostics if not d.is_error}
    assert {"VTX020", "VTX021", "VTX026"} <= codes


def test_drift_conversion() -> None:
    assert drift.convert("psi", 0.2, "numerical").value == pytest.approx(0.2 / (8 * 0.6931471805599453), rel=1e-3)
    assert drift.convert("psi", 0.2, "categorical").value == pytest.approx(0.2**0.5 / 2, rel=1e-3)
    assert drift.convert("jensen-shannon", 0.08, "numerical").value == 0.08
    with pytest.raises(ValueError, match="ks"):
        drift.convert("ks", 0.1, "numerical")


def test_deployed_model_ids() -> None:
    assert naming.deployed_model_id("2.1.0") == "1002001000"
    assert naming.deployed_model_id("0.0.0") == "1000000000"
    assert naming.version_alias("2.1.0-rc.1") == "v2-1-0-rc-1"
    assert naming.version_too_large("1.1000.0")


# --- strictness: mutated rendered bodies fail ----------------------------------------------------------


def _root_file(name: str) -> RenderedFile:
    spec = ROOT / "mlops.yaml"
    ir = run("mlops.yaml", spec.read_bytes(), Options(targets=("vertex",), environments=("production",)))
    assert isinstance(ir, Emitted)
    return next(f for f in ir.files if f.platform == "vertex" and f.path.endswith("/" + name))


def _with_body(file: RenderedFile, body: object) -> RenderedFile:
    return replace(file, body=body, content=json.dumps(body, indent=2, sort_keys=True) + "\n")  # type: ignore[arg-type]


def test_strictness_misspelled_field() -> None:
    file = _root_file("deploy-model.json")
    assert check_rendered(file) == []
    body = copy.deepcopy(file.body)
    assert isinstance(body, dict)
    resources = body["deployedModel"]["dedicatedResources"]
    resources["minReplicaCnt"] = resources.pop("minReplicaCount")
    problems = check_rendered(_with_body(file, body))
    assert problems and "minReplicaCnt" in problems[0]


def test_strictness_bad_enum() -> None:
    file = _root_file("deploy-model.json")
    body = copy.deepcopy(file.body)
    assert isinstance(body, dict)
    body["deployedModel"]["dedicatedResources"]["machineSpec"].update(
        acceleratorType="NVIDIA_TESLA_T5", acceleratorCount=1
    )
    problems = check_rendered(_with_body(file, body))
    assert problems and "NVIDIA_TESLA_T5" in problems[0]


def test_strictness_project_checks() -> None:
    file = _root_file("deploy-model.json")
    body = copy.deepcopy(file.body)
    assert isinstance(body, dict)
    body["trafficSplit"] = {"0": 5, "1002000000": 90}
    assert "add up to 95" in check_rendered(_with_body(file, body))[0]
    monitoring = _root_file("monitoring-job.json")
    body = copy.deepcopy(monitoring.body)
    assert isinstance(body, dict)
    body["loggingSamplingStrategy"]["randomSampleConfig"]["sampleRate"] = 1.5
    assert "outside (0, 1]" in check_rendered(_with_body(monitoring, body))[0]
    edited = replace(monitoring, content=monitoring.content.replace("3600s", "7200s"))
    assert "not the JSON of its body" in check_rendered(edited)[0]


def test_strictness_apply_script() -> None:
    script = _root_file("apply.sh")
    assert check_rendered(script) == []
    broken = replace(script, content=script.content.replace("esac", "", 1))
    assert any("bash -n" in p for p in check_rendered(broken))
    lax = replace(script, content=script.content.replace("set -euo pipefail", "set -e"))
    assert any("pipefail" in p for p in check_rendered(lax))


# --- apply.sh against the fake Vertex AI API (tests/vertex_fake.py) -------------------------------------------


@pytest.mark.skipif(shutil.which("jq") is None or shutil.which("curl") is None, reason="apply.sh needs curl and jq")
def test_apply_script_runs_the_calls_in_order(tmp_path: Path) -> None:
    """A fresh project where 2.0.0 is live: every resource is created in order, each operation polled; a
    second run only reads. The README's commands are the ones the script accepts (it said
    `./apply.sh traffic 100`, which the script refused with exit 2)."""
    folder = tmp_path / "vertex"
    folder.mkdir()
    spec = ROOT / "mlops.yaml"
    ir = run("mlops.yaml", spec.read_bytes(), Options(targets=("vertex",), environments=("production",)))
    assert isinstance(ir, Emitted)
    for f in ir.files:
        if f.platform == "vertex":
            (folder / f.path.rsplit("/", 1)[-1]).write_text(f.content, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gcloud").write_text("#!/usr/bin/env bash\necho fake-token\n", encoding="utf-8")
    (bin_dir / "gcloud").chmod(stat.S_IRWXU)
    with FakeVertex("acme-ml", "us-central1") as fake:
        model = fake.seed_model("fraud-detection-production", "v2-0-0")
        endpoint = json.loads((folder / "endpoint.json").read_text())
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "MLOPSC_VERTEX_API": fake.base,
            "MLOPSC_VERTEX_POLL_SECONDS": "0",
        }
        script = folder / "apply.sh"

        def apply(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True, check=False)

        fake.seed_endpoint("fraud-detection-production", endpoint, [("1002000000", model)])
        fake.clear_log()
        result = apply()
        assert result.returncode == 0, result.stderr
        parent = "/v1/projects/acme-ml/locations/us-central1"
        mutations = [(r.method, r.path.removeprefix(parent)) for r in fake.mutations()]
        assert mutations == [
            ("POST", "/models:upload"),
            ("POST", "/endpoints/fraud-detection-production:deployModel"),
            ("POST", "/models/fraud-detection-production@2:mergeVersionAliases"),  # the stage alias moves
            ("POST", "/modelDeploymentMonitoringJobs"),
            ("POST", "/schedules"),
        ]
        polled = [r for r in fake.requests if r.method == "GET" and "/operations/" in r.path]
        assert len(polled) == 2  # upload and deploy: long-running, polled until done
        [upload] = [r.body for r in fake.requests if r.path.endswith("/models:upload")]
        assert upload is not None and upload["parentModel"].endswith("/models/fraud-detection-production")
        assert upload["model"]["versionAliases"] == ["v2-1-0"]
        settings = json.loads((folder / "apply.json").read_text())
        assert fake.endpoint("fraud-detection-production")["trafficSplit"] == settings["traffic_split"]
        fake.clear_log()
        again = apply()
        assert again.returncode == 0, again.stderr
        assert fake.mutations() == []
        # every command the README gives is one the script accepts
        readme = (folder / "README.md").read_text()
        commands = {tuple(c.split()) for c in re.findall(r"`\./apply\.sh([^`]*)`", readme)}
        assert commands
        for args in sorted(commands):
            done = apply(*args)
            assert done.returncode == 0, (args, done.stderr)
        # moving traffic by hand is gone: the rollout moves in Git, and the next run puts the split back
        refused = apply("traffic", "25")
        assert refused.returncode == 2 and "usage" in refused.stderr
