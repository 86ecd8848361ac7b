"""The SageMaker target: the root spec renders for every environment and passes cfn-lint, every
refusal fires with its code and spec path, production goldens pass Checkov's SageMaker checks, and
cfn-lint really rejects a broken template (strictness proven)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Emitted, Options, RenderedFile
from mlopsc.compiler.passes import run
from mlopsc.targets.sagemaker import catalog
from mlopsc.targets.sagemaker.naming import SAGEMAKER_LIMIT, hashed_name
from mlopsc.targets.sagemaker.rollout import shadow_refusal
from mlopsc.targets.sagemaker.schedule import aws_cron
from tests.fixed_clock import TODAY  # approvals expire against a fixed day, so goldens do not age
from tests.validators.cfn import check_rendered, checkov_template, errors, lint_template, pipeline_problems

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "golden"
BASE = GOLDEN / "sagemaker-retraining-drift" / "mlops.yaml"


def render(text: str, name: str = "mlops.yaml") -> Emitted | Any:
    return run(name, text.encode("utf-8"), Options(targets=("sagemaker",), today=TODAY))


def templates(ir: Any) -> list[RenderedFile]:
    assert isinstance(ir, Emitted), [d.message for d in ir.diagnostics]
    return [f for f in ir.files if f.platform == "sagemaker"]


def base_spec() -> dict[str, Any]:
    spec = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    assert isinstance(spec, dict)
    rollback = spec["rollout"]["rollback"]
    rollback["on"] = rollback.pop(True)  # PyYAML reads the key `on` as YAML 1.1's boolean
    return spec


# --- the root spec ---------------------------------------------------------------------------------


def test_root_spec_renders_for_every_environment_and_passes_cfn_lint() -> None:
    ir = render((ROOT / "mlops.yaml").read_text(encoding="utf-8"))
    files = templates(ir)
    assert sorted(f.path for f in files) == [
        "production/fraud-detection/sagemaker/template.yaml",
        "staging/fraud-detection/sagemaker/template.yaml",
    ]
    assert not [d for d in ir.diagnostics if d.severity is Severity.ERROR]
    for file in files:
        assert check_rendered(file) == [], file.path
        body = file.body
        assert isinstance(body, dict)
        assert set(body["Outputs"]) >= {"EndpointName", "EndpointArn"}
        text = file.content
        assert "!Ref" not in text and "!GetAtt" not in text and "!Sub" not in text  # long form only
        # a secret is passed as its ARN, never a value
        models = [r for r in body["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
        assert models
        for resource in models:
            model = resource["Properties"]["PrimaryContainer"]["Environment"]
            assert model["FEATURE_STORE_TOKEN_SECRET_ARN"].startswith("arn:aws:secretsmanager:")
            assert "FEATURE_STORE_TOKEN" not in model


def test_root_production_holds_the_canary_share_with_rollback_alarms() -> None:
    files = templates(render((ROOT / "mlops.yaml").read_text(encoding="utf-8")))
    production = next(f for f in files if f.environment == "production").body
    assert isinstance(production, dict)
    variants = production["Resources"]["EndpointConfig"]["Properties"]["ProductionVariants"]
    assert {v["VariantName"]: v["InitialVariantWeight"] for v in variants} == {"new": 5.0, "previous": 95.0}
    endpoint = production["Resources"]["Endpoint"]["Properties"]
    routing = endpoint["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing == {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600}  # the bake the alarms watch
    alarms = endpoint["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]
    assert alarms == [{"AlarmName": {"Ref": "LatencyAlarm"}}, {"AlarmName": {"Ref": "ErrorRateAlertAlarm"}}]
    latency = production["Resources"]["LatencyAlarm"]["Properties"]
    assert latency["Threshold"] == 225000 and latency["EvaluationPeriods"] == 10  # 1.5 x 150 ms in microseconds
    policy = production["Resources"]["SecretsPolicy"]["Properties"]
    assert policy["Roles"] == ["fraud-sagemaker"]
    assert policy["PolicyDocument"]["Statement"][0]["Resource"] == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:fraud/feature-store-token"
    ]


# --- goldens: Checkov on production templates ---------------------------------------------------------

CHECKS = ("CKV_AWS_367", "CKV_AWS_368", "CKV_AWS_369", "CKV_AWS_370")
ISOLATION_OFF = {"sagemaker-environments": "serving.env reads a secret: network isolation is off by design (SGM007)"}


def _production_goldens() -> list[tuple[str, RenderedFile]]:
    out = []
    for spec in sorted(GOLDEN.glob("sagemaker-*/mlops.yaml")):
        for file in templates(render(spec.read_text(encoding="utf-8"), spec.relative_to(ROOT).as_posix())):
            if file.environment in ("production", "default") and "level: production" in spec.read_text():
                out.append((spec.parent.name, file))
    return out


def test_enough_production_goldens() -> None:
    assert len(_production_goldens()) >= 6


@pytest.mark.parametrize("case,file", _production_goldens(), ids=lambda v: v if isinstance(v, str) else "")
def test_production_goldens_pass_checkov_sagemaker_checks(case: str, file: RenderedFile, tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(file.content, encoding="utf-8")
    results = checkov_template(path, CHECKS)
    assert any(r.check_id == "CKV_AWS_370" for r in results)
    failed = {(r.check_id, r.resource) for r in results if not r.passed}
    if case in ISOLATION_OFF:
        assert failed and all(check == "CKV_AWS_370" for check, _ in failed), ISOLATION_OFF[case]
    else:
        assert not failed
    body = file.body
    assert isinstance(body, dict)
    if "DataQualityJobDefinition" in body["Resources"]:
        assert {r.check_id for r in results if r.passed} >= {"CKV_AWS_367", "CKV_AWS_368", "CKV_AWS_369"}


# --- refusals -------------------------------------------------------------------------------------------


def _set(spec: dict[str, Any], path: str, value: Any) -> None:
    node = spec
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def _staging(spec: dict[str, Any]) -> None:
    spec["governance"] = {"level": "staging", "risk": "medium"}


Mutation = Callable[[dict[str, Any]], None]

REFUSALS: list[tuple[str, Mutation, str, str]] = [
    (
        "SGM001",
        lambda s: _set(s, "model.framework", {"name": "lightgbm", "version": "4.3"}),
        "model.framework",
        "lightgbm",
    ),
    ("SGM001", lambda s: _set(s, "model.framework.version", "1.8"), "model.framework", "version"),
    ("SGM002", lambda s: _set(s, "serving.image", "docker.io/acme/fraud:1.0"), "serving.image", "ECR"),
    (
        "SGM003",
        lambda s: _set(s, "model.artifact.uri", "gs://acme-models/fraud/2.1.0/model.tar.gz"),
        "model.artifact.uri",
        "mirrors.sagemaker",
    ),
    ("SGM005", lambda s: _set(s, "serving.resources", {"cpu": 500, "memory_gb": 4}), "serving.resources", "500 vCPU"),
    (
        "SGM005",
        lambda s: _set(s, "serving.resources", {"cpu": 4, "memory_gb": 16, "gpu": 1, "gpu_type": "nvidia-h100"}),
        "serving.resources.gpu_type",
        "nvidia-h100",
    ),
    (
        "SGM006",
        lambda s: (
            _set(s, "serving.env", {"TOKEN": {"secret": "token"}}),
            _set(s, "secrets", {"token": {"vertex": "projects/p/secrets/token"}}),
        ),
        "secrets.token",
        "no SageMaker reference",
    ),
    (
        "SGM008",
        lambda s: (
            _set(s, "serving.env", {"TOKEN": {"secret": "token"}}),
            _set(
                s, "secrets", {"token": {"sagemaker": "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-Ab12Cd"}}
            ),
            _set(s, "platforms.sagemaker.network_isolation", True),
        ),
        "platforms.sagemaker.network_isolation",
        "cannot call Secrets Manager",
    ),
    (
        "SGM012",
        lambda s: (
            _staging(s),
            _set(s, "metadata.name", "fraud-detection-for-card-not-present-tx"),
            _set(s, "environments", {"production-eu-west-failover-01": {}}),
        ),
        "metadata.name",
        "the limit is 63",
    ),
    (
        "SGM013",
        lambda s: _set(s, "platforms.sagemaker.capture_destination", "https://collector.example.com/"),
        "platforms.sagemaker.capture_destination",
        "S3 only",
    ),
    (
        "SGM015",
        lambda s: (_staging(s), s["monitoring"].pop("capture")),
        "monitoring.drift",
        "data capture is not set",
    ),
    (
        "SGM017",
        lambda s: _set(s, "platforms.sagemaker.region", "ca-west-1"),
        "platforms.sagemaker.region",
        "Model Monitor",
    ),
    (
        "SGM018",
        lambda s: (
            _set(s, "serving.mode", "hybrid"),
            _set(s, "serving.batch", {"schedule": "0 2 * * *", "input_uri": "gs://in/", "output_uri": "s3://out/"}),
        ),
        "serving.batch.input_uri",
        "S3",
    ),
    (
        "SGM019",
        lambda s: _set(s, "retraining.schedule", "0 2 1 * 1"),
        "retraining.schedule",
        "day-of-month and day-of-week",
    ),
    (
        "SGM020",
        lambda s: _set(s, "retraining.pipeline.image", "ghcr.io/acme/fraud-train:1.0"),
        "retraining.pipeline.image",
        "ECR",
    ),
    ("SGM027", lambda s: _set(s, "serving.protocol", "grpc"), "serving.protocol", "gRPC"),
    ("SGM030", lambda s: _set(s, "serving.replicas", {"min": 0, "max": 3}), "serving.replicas.min", "at least 1"),
]


@pytest.mark.parametrize("code,mutate,path,fragment", REFUSALS, ids=[f"{r[0]}-{r[2]}" for r in REFUSALS])
def test_refusal(code: str, mutate: Mutation, path: str, fragment: str) -> None:
    spec = copy.deepcopy(base_spec())
    mutate(spec)
    ir = render(yaml.safe_dump(spec, sort_keys=False))
    assert not isinstance(ir, Emitted) or not [f for f in ir.files if f.platform == "sagemaker"]
    found = [d for d in ir.diagnostics if d.code == code]
    assert found, [(d.code, d.message) for d in ir.diagnostics]
    assert any(".".join(map(str, d.path)) == path and fragment in d.message + d.hint for d in found), [
        (".".join(map(str, d.path)), d.message, d.hint) for d in found
    ]
    assert all(d.severity is Severity.ERROR for d in found)


def test_more_than_one_shadow_is_refused() -> None:
    assert shadow_refusal(1) is None
    finding = shadow_refusal(2)
    assert finding is not None and finding.code == "SGM009" and finding.path == ("rollout", "strategy")


# --- strictness proven: cfn-lint rejects broken templates ---------------------------------------------------


def _golden_template() -> dict[str, Any]:
    file = templates(render((GOLDEN / "sagemaker-canary-rollback" / "mlops.yaml").read_text(encoding="utf-8")))[0]
    assert isinstance(file.body, dict)
    assert errors(lint_template(file.content)) == []
    return copy.deepcopy(file.body)


def _rule_ids(body: dict[str, Any]) -> set[str]:
    return {f.rule_id for f in errors(lint_template(yaml.safe_dump(body)))}


def test_cfn_lint_rejects_an_unknown_property() -> None:
    body = _golden_template()
    body["Resources"]["Endpoint"]["Properties"]["TrafficPercent"] = 10
    assert "E3002" in _rule_ids(body)


def test_cfn_lint_rejects_a_wrong_type() -> None:
    body = _golden_template()
    body["Resources"]["EndpointConfig"]["Properties"]["ProductionVariants"][0]["InitialInstanceCount"] = "two"
    assert "E3012" in _rule_ids(body)


def test_cfn_lint_rejects_a_bad_enum() -> None:
    body = _golden_template()
    policy = body["Resources"]["Endpoint"]["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    policy["TrafficRoutingConfiguration"]["Type"] = "GRADUAL"
    assert "E3030" in _rule_ids(body)


def test_pipeline_bodies_are_checked_against_the_sagemaker_api() -> None:
    file = templates(render(BASE.read_text(encoding="utf-8")))[0]
    body = file.body
    assert isinstance(body, dict) and pipeline_problems(body) == []
    broken = copy.deepcopy(body)
    props = broken["Resources"]["RetrainingPipeline"]["Properties"]["PipelineDefinition"]
    definition = json.loads(props["PipelineDefinitionBody"])
    del definition["Steps"][0]["Arguments"]["ResourceConfig"]
    props["PipelineDefinitionBody"] = json.dumps(definition)
    assert any("ResourceConfig" in p for p in pipeline_problems(broken))


# --- helpers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "posix,aws",
    [
        ("0 2 * * 0", "cron(0 2 ? * SUN *)"),
        ("0 2 * * *", "cron(0 2 * * ? *)"),
        ("30 4 1 * *", "cron(30 4 1 * ? *)"),
        ("0 6 * * 1-5", "cron(0 6 ? * MON-FRI *)"),
        ("0 6 * * 7", "cron(0 6 ? * SUN *)"),
        ("*/15 * * jan,jul sat", "cron(*/15 * ? JAN,JUL SAT *)"),
    ],
)
def test_aws_cron(posix: str, aws: str) -> None:
    assert aws_cron(posix) == aws


@pytest.mark.parametrize("posix", ["0 2 1 * 1", "0 2 * * */2", "0 2 * * 5-1"])
def test_aws_cron_refuses_what_it_cannot_express(posix: str) -> None:
    with pytest.raises(ValueError):
        aws_cron(posix)


def test_hashed_names_trim_the_model_part_and_stay_unique() -> None:
    long_model = "a" * 40
    one = hashed_name(long_model, "production-eu-west-failover-01", {"x": 1}, "dq")
    two = hashed_name(long_model, "production-eu-west-failover-01", {"x": 2}, "dq")
    assert len(one) == SAGEMAKER_LIMIT and one != two
    assert one == "a" * 20 + "-production-eu-west-failover-01-dq-" + one[-8:]
    assert hashed_name("fraud", "staging", {"x": 1}) == hashed_name("fraud", "staging", {"x": 1})


def test_local_storage_and_monitor_images() -> None:
    assert catalog.has_local_storage("ml.g5.xlarge") and catalog.has_local_storage("ml.g4dn.2xlarge")
    assert not catalog.has_local_storage("ml.m5.large") and not catalog.has_local_storage("ml.p3.2xlarge")
    assert catalog.model_monitor_image("us-east-1") == (
        "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    )
    with pytest.raises(catalog.CatalogError):
        catalog.model_monitor_image("ca-west-1")
    assert catalog.pick_instance(4, 16, 1, region="us-east-1", families=("g5",)) == "ml.g5.xlarge"
