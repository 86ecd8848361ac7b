"""Each policy rule: a spec (or rendered file) that passes and one that fails, with id, position and message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Options, RenderedFile, Unit
from mlopsc.policies import RULES
from mlopsc.policies.base import DocumentRule, FileRule, SpecRule
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules.kserve_env_secrets import KServeEnvSecrets
from mlopsc.policies.rules.kserve_privileged import KServePrivileged
from mlopsc.policies.rules.kserve_resources import KServeResources
from mlopsc.policies.rules.sagemaker_isolation import SageMakerIsolation
from mlopsc.policies.rules.sagemaker_kms import SageMakerKms
from tests.policy_helpers import PROD, TODAY, findings, line_of, mutate


def test_rule_ids_are_unique_well_formed_and_documented() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert re.fullmatch(r"(SEC|APR|PRD|RND)\d{3}", rule.id), rule.id
        assert rule.title and len(rule.description) > 80
        assert rule.help_uri == f"https://github.com/mlopsc/mlopsc/blob/main/docs/policies.md#{rule.id.lower()}"
        kinds = [isinstance(rule, k) for k in (DocumentRule, SpecRule, FileRule)]
        assert kinds.count(True) == 1, rule.id
        assert isinstance(rule.default_severity, Severity)


def test_the_production_fixture_passes_every_rule(tmp_path: Path) -> None:
    assert [d for d in findings(tmp_path, PROD) if d.code[:3] in ("SEC", "APR", "PRD", "RND")] == []


def test_root_mlops_yaml_has_no_policy_error() -> None:
    from mlopsc.compiler.ir import Emitted
    from mlopsc.compiler.passes import run

    root = Path(__file__).resolve().parents[1] / "mlops.yaml"
    ir = run("mlops.yaml", root.read_bytes(), Options(today=TODAY))
    assert isinstance(ir, Emitted)
    errors = [d for d in ir.diagnostics if d.is_error]
    assert errors == []
    assert {p.environment for p in ir.plans} == {"staging", "production"}


# --- secrets in the spec ------------------------------------------------------------------------------

TOKEN = "ghp_" + "Zq3R8vT1xW6yB2nC5mK9pL4sD7fG0hJ2aE6u"


def test_sec001_literal_token_in_env(tmp_path: Path) -> None:
    text = mutate("    LOG_LEVEL: warning\n", f"    LOG_LEVEL: warning\n    GH: {TOKEN}\n")
    [d] = findings(tmp_path, text, "SEC001")
    assert (d.line, d.col) == (line_of(text, "GH: ghp_"), 9)
    assert d.severity is Severity.ERROR and d.is_error
    assert "GitHub token" in d.message and TOKEN not in d.message and TOKEN not in d.hint
    assert re.search(r"fingerprint sha256:[0-9a-f]{16}", d.message)
    assert d.fingerprint.startswith("sha256:")


def test_sec001_password_under_secret_key_in_an_environment_block(tmp_path: Path) -> None:
    text = PROD + "environments:\n  default:\n    serving:\n      env: {DB_PASSWORD: changeme}\n"
    [d] = findings(tmp_path, text, "SEC001")
    assert d.line == line_of(text, "DB_PASSWORD") and d.col == text.splitlines()[d.line - 1].index("changeme") + 1
    assert "literal value under a secret-looking key" in d.message and "changeme" not in d.message
    assert d.dotted_path() == "environments.default.serving.env.DB_PASSWORD"


def test_sec001_lookalikes_pass(tmp_path: Path) -> None:
    text = mutate(
        "    LOG_LEVEL: warning\n",
        "    LOG_LEVEL: warning\n    RUN_ID: 3f2b9c1e-8d4a-4b6e-9f0a-1c2d3e4f5a6b\n"
        "    CRON: '0 2 * * *'\n    API_TOKEN_SECRET_NAME: bureau-api-key\n",
    )
    assert findings(tmp_path, text, "SEC001") == []


def test_sec003_password_in_uri(tmp_path: Path) -> None:
    text = mutate(
        "capture_destination: http://payload-logger.monitoring.svc.cluster.local",
        "capture_destination: http://logger:s3cr3t-Pa55@payload-logger.monitoring.svc.cluster.local",
    )
    [d] = findings(tmp_path, text, "SEC003")
    assert d.line == line_of(text, "capture_destination: http://logger:")
    assert "password" in d.message and "s3cr3t" not in d.message
    assert findings(tmp_path, text, "SEC001") == []
    # the same URI is rendered into the InferenceService: SEC002 does not report it again
    assert findings(tmp_path, text, "SEC002") == []


def test_sec002_secret_only_in_a_rendered_file() -> None:
    ctx = _ctx()
    file = _file({"spec": {"env": [{"name": "HF_TOKEN", "value": "hf_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z"}]}})
    [f] = SecretsInOutputRule().check_file(file, ctx)
    assert f.path == ("spec", "env", 0, "value") and "Hugging Face" in f.message
    seen = PolicyContext(ctx.unit, ctx.options, spec_fingerprints=frozenset({f.fingerprint}))
    assert list(SecretsInOutputRule().check_file(file, seen)) == []
    text = RenderedFile(
        "a/b/kserve/run.sh", "#!/bin/sh\necho hi\nexport X=" + TOKEN + "\n", "kserve", "a", "b", "Script"
    )
    [g] = SecretsInOutputRule().check_file(text, ctx)
    assert g.line == 3


# --- approvals ----------------------------------------------------------------------------------------

APPROVED = re.search(r"^      digest: (\S+)", PROD[PROD.index("  approvals:") :], re.MULTILINE).group(1)  # type: ignore[union-attr]


def test_apr001_missing_approval(tmp_path: Path) -> None:
    start = PROD.index("  approvals:\n")
    end = PROD.index("  model_card:\n")
    text = PROD[:start] + PROD[end:]
    [d] = findings(tmp_path, text, "APR001")
    assert (d.line, d.col) == (line_of(text, "governance:"), 1)
    assert "environment `default` (level production) has no approval" in d.message


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (f"      digest: {APPROVED}", "      digest: sha256:" + "b" * 64, "digest", "it approves sha256:bbbbbbbbbbbb"),
        ("      expires: 2027-01-31", "      expires: 2026-11-22", "expires", "expired on 2026-11-22"),
        ("      at: 2026-11-01T09:00:00Z", "      at: 2026-12-01T09:00:00Z", "at", "after now"),
        ("      by: risk-officer@example.com", "      by: credit-ml@example.com", "by", "is the model's owner"),
        ("    - environment: default", "    - environment: production", None, "has no approval"),
    ],
)
def test_apr001_approval_that_does_not_count(
    tmp_path: Path, old: str, new: str, field: str | None, reason: str
) -> None:
    text = mutate(old, new)
    [d] = findings(tmp_path, text, "APR001")
    assert reason in d.message
    if field:
        assert d.line == line_of(text, new.strip()[:20]) and d.dotted_path() == f"governance.approvals[0].{field}"


def test_apr001_role_and_approver_from_the_org_policy(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("approvals:\n  roles: [model-risk]\n  approvers: {model-risk: [dan@example.com]}\n")
    [d] = findings(tmp_path, PROD, "APR001", policy=policy)
    assert "risk-officer@example.com does not hold role `model-risk`" in d.message
    assert d.dotted_path() == "governance.approvals[0].by"
    policy.write_text("approvals:\n  roles: [security]\n")
    [d] = findings(tmp_path, PROD, "APR001", policy=policy)
    assert "role `model-risk` is not one of security" in d.message
    policy.write_text("approvals:\n  max_age_days: 10\n")
    [d] = findings(tmp_path, PROD, "APR001", policy=policy)
    assert "more than 10 days ago" in d.message
    policy.write_text("approvals:\n  levels: [staging]\n")
    assert (
        findings(tmp_path, mutate("      expires: 2027-01-31", "      expires: 2026-01-31"), "APR001", policy=policy)
        == []
    )


# --- production safety --------------------------------------------------------------------------------


def _swap_image(tag: str) -> str:
    old = PROD[PROD.index("    image: 1234") : PROD.index("\n", PROD.index("    image: 1234"))]
    return mutate(old, f"    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/credit-train{tag}")


def test_prd001_user_image_not_pinned(tmp_path: Path) -> None:
    text = _swap_image(":3.4.0")
    [d] = findings(tmp_path, text, "PRD001")
    assert (d.line, d.col) == (line_of(text, "credit-train:3.4.0"), 12)
    assert "is not pinned by digest" in d.message
    assert findings(tmp_path, _swap_image(":3.4.0@sha256:" + "5" * 64), "PRD001") == []


def test_prd002_latest_tag(tmp_path: Path) -> None:
    text = _swap_image(":latest@sha256:" + "5" * 64)
    [d] = findings(tmp_path, text, "PRD002")
    assert d.line == line_of(text, "credit-train:latest") and "`latest` tag" in d.message


def test_prd003_and_prd013_resolved_images() -> None:
    from mlopsc.compiler.ir import Stack
    from mlopsc.policies.rules.resolved_image_version import ResolvedImageVersion
    from mlopsc.policies.rules.vendor_image_version import VendorImageVersion

    plan = _plan()
    components = {
        "image": "us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest",
        "training_image": "registry.example.com/train",
        "monitor_image": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer",
        "batch_image": "registry.example.com/batch:1.2",
    }
    ctx = PolicyContext(_ctx().unit, Options(today=TODAY), stacks=(Stack("vertex", "default", components),))
    [f] = ResolvedImageVersion().check(plan, ctx)
    assert "registry.example.com/train" in f.message and f.path == ("platforms", "vertex")
    [g] = VendorImageVersion().check(plan, ctx)
    assert "sagemaker-model-monitor-analyzer" in g.message


@pytest.mark.parametrize(
    ("code", "old", "new", "fragment", "message"),
    [
        ("PRD004", "  resources: {cpu: 2, memory_gb: 8}\n", "", "serving:", "serving.resources"),
        (
            "PRD005",
            "  scale: {rps: 400, latency_ms: 120}",
            "  scale: {rps: 400, latency_ms: 120}\n  replicas: {min: 1, max: 4}",
            "replicas:",
            "at least 2",
        ),
        ("PRD007", "  slo: {p95_latency_ms: 120, error_rate: 0.005}\n", "", "monitoring:", "alerting SLO"),
        (
            "PRD010",
            "  capture: {destination: s3://acme-capture/credit-scoring/, sample_percent: 100}\n",
            "",
            "monitoring:",
            "capture",
        ),
    ],
)
def test_production_rules_fail_with_position(
    tmp_path: Path, code: str, old: str, new: str, fragment: str, message: str
) -> None:
    from mlopsc.compiler.passes import run

    text = mutate(old, new)
    spec = tmp_path / "mlops.yaml"
    spec.write_text(text)
    ir = run(str(spec), text.encode(), Options(today=TODAY))
    found = [d for d in ir.diagnostics if d.code == code]
    if not found:  # the decision rule R006 stops some of these before the policy pass runs
        assert any(d.code == "R006" for d in ir.diagnostics), [d.code for d in ir.diagnostics]
        found = _direct(code, text)
    [d] = found
    assert message in d.message
    assert d.line == line_of(text, fragment) or d.line == 0


def _direct(code: str, text: str) -> list[object]:
    """Run one spec rule on a plan built without the decision rules' veto (R006 overlaps PRD005-PRD010)."""
    from mlopsc.compiler.passes.parse import parse
    from mlopsc.policies import rule_by_id

    rule = rule_by_id(code)
    assert isinstance(rule, SpecRule)
    plan = _plan(text)
    unit = parse("mlops.yaml", text.encode()).unit
    return [unit.diagnostic(_as_finding(code, f), plan.environment) for f in rule.check(plan, _ctx())]


def test_prd006_prd008_prd009_on_plans() -> None:
    from mlopsc.compiler.spec.vocabulary import Strategy
    from mlopsc.policies.rules.gradual_rollout import GradualRollout
    from mlopsc.policies.rules.model_card import ModelCard
    from mlopsc.policies.rules.provenance import Provenance

    card = PROD[PROD.index("  model_card:\n") : PROD.index("platforms:\n")]
    text = mutate(card, "", mutate("    git_commit: 9e8d7c6b5a4f\n", ""))
    plan = _plan(text)
    ctx = _ctx()
    from dataclasses import replace

    rushed = replace(plan, derived=replace(plan.derived, strategy=Strategy.ALL_AT_ONCE))
    assert [f.path for f in GradualRollout().check(rushed, ctx)] == [("rollout", "strategy")]
    assert list(GradualRollout().check(plan, ctx)) == []
    assert [f.path for f in ModelCard().check(plan, ctx)] == [("governance", "model_card")]
    assert [f.path for f in Provenance().check(plan, ctx)] == [("model", "provenance", "git_commit")]


def test_prd011_prd012_vertex_warnings(tmp_path: Path) -> None:
    vertex = "    service_account: fraud@acme-ml.iam.gserviceaccount.com\n"
    root = (Path(__file__).resolve().parents[1] / "mlops.yaml").read_text(encoding="utf-8")
    # the quick start sets both (a private endpoint, a key of its own): this test starts from it without them
    text = re.sub(r"(?m)^    (kms_key_name|network): projects/.*\n", "", root)
    assert text != root
    for code, field in (("PRD011", "kms_key_name"), ("PRD012", "network")):
        [d] = findings(tmp_path, text, code)
        assert d.severity is Severity.WARNING and not d.is_error
        assert d.line == line_of(text, "  vertex:\n    project") and d.dotted_path() == f"platforms.vertex.{field}"
        assert d.environments == ("production",) and "(environment `production`)" in d.text
    fixed = mutate(
        vertex,
        vertex + "    kms_key_name: projects/acme-ml/locations/us-central1/keyRings/r/cryptoKeys/k\n"
        "    network: projects/1/global/networks/n\n",
        text,
    )
    assert findings(tmp_path, fixed, "PRD011") == findings(tmp_path, fixed, "PRD012") == []


# --- rendered output ----------------------------------------------------------------------------------


def _isvc(container: dict[str, object], **predictor: object) -> RenderedFile:
    body = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "m"},
        "spec": {"predictor": {"model": container, **predictor}},
    }
    import yaml

    return RenderedFile(
        "production/m/kserve/inferenceservice.yaml",
        yaml.safe_dump(body, sort_keys=True),
        "kserve",
        "production",
        "m",
        "InferenceService",
        body,
    )


GOOD = {"resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}}


def test_rnd001_resources() -> None:
    ctx = _ctx()
    assert list(KServeResources().check_file(_isvc(GOOD), ctx)) == []
    [f] = KServeResources().check_file(_isvc({"resources": {"requests": {"cpu": "1"}}}), ctx)
    assert "requests.memory, limits.cpu, limits.memory" in f.message
    assert f.path == ("spec", "predictor", "model", "resources")


def test_rnd002_privileged() -> None:
    ctx = _ctx()
    bad = {**GOOD, "securityContext": {"privileged": True, "capabilities": {"add": ["NET_BIND_SERVICE", "SYS_ADMIN"]}}}
    found = list(KServePrivileged().check_file(_isvc(bad, hostNetwork=True), ctx))
    assert [f.path[-1] for f in found] == ["hostNetwork", "privileged", 1]
    assert list(KServePrivileged().check_file(_isvc({**GOOD, "securityContext": {"privileged": False}}), ctx)) == []


def test_rnd003_plain_env_secret() -> None:
    ctx = _ctx()
    env = [
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "API_TOKEN", "value": "x"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
    ]
    [f] = KServeEnvSecrets().check_file(_isvc({**GOOD, "env": env}), ctx)
    assert f.path == ("spec", "predictor", "model", "env", 1, "value") and "API_TOKEN" in f.message


def test_rendered_findings_are_positioned_in_the_rendered_text() -> None:
    from mlopsc.policies.engine import _file_diagnostic

    file = _isvc({"resources": {}})
    [f] = KServeResources().check_file(file, _ctx())
    d = _file_diagnostic(KServeResources(), f, file, _ctx(), [])
    assert d.file == "rendered/production/m/kserve/inferenceservice.yaml"
    assert file.content.splitlines()[d.line - 1].strip().startswith("model:")


def _template(resources: dict[str, object]) -> RenderedFile:
    import json

    body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    return RenderedFile(
        "production/m/sagemaker/template.json",
        json.dumps(body, indent=2, sort_keys=True),
        "sagemaker",
        "production",
        "m",
        "CloudFormation",
        body,
    )


def test_rnd004_rnd005_sagemaker() -> None:
    ctx = _ctx()
    good = _template(
        {
            "Config": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "KmsKeyId": "alias/ml",
                    "ProductionVariants": [],
                    "DataCaptureConfig": {"KmsKeyId": "alias/ml"},
                },
            },
            "Model": {"Type": "AWS::SageMaker::Model", "Properties": {"EnableNetworkIsolation": True}},
        }
    )
    assert list(SageMakerKms().check_file(good, ctx)) == list(SageMakerIsolation().check_file(good, ctx)) == []
    bad = _template(
        {
            "Config": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {"ProductionVariants": [], "DataCaptureConfig": {"EnableCapture": True}},
            },
            "Model": {"Type": "AWS::SageMaker::Model", "Properties": {"EnableNetworkIsolation": False}},
        }
    )
    kms = list(SageMakerKms().check_file(bad, ctx))
    assert [f.path for f in kms] == [
        ("Resources", "Config", "Properties"),
        ("Resources", "Config", "Properties", "DataCaptureConfig"),
    ]
    [iso] = SageMakerIsolation().check_file(bad, ctx)
    assert iso.path == ("Resources", "Model", "Properties", "EnableNetworkIsolation")
    from mlopsc.policies.engine import _file_diagnostic

    d = _file_diagnostic(SageMakerIsolation(), iso, bad, ctx, [])
    assert '"EnableNetworkIsolation": false' in bad.content.splitlines()[d.line - 1]


# --- helpers ------------------------------------------------------------------------------------------


def _ctx() -> PolicyContext:
    from mlopsc.compiler.source import PositionMap, SourceFile

    return PolicyContext(Unit(SourceFile.from_text("mlops.yaml", PROD), PositionMap({}, {})), Options(today=TODAY))


def _plan(text: str = PROD) -> object:
    """A decided plan for `text`, built with the passes up to validate plus a neutral Derived."""
    from mlopsc.compiler.ir import Derived, Plan, Validated
    from mlopsc.compiler.passes import run
    from mlopsc.compiler.rolloutstate import rollout_state
    from mlopsc.compiler.spec.vocabulary import Strategy

    ir = run("mlops.yaml", text.encode(), Options(today=TODAY), until="validate")
    assert isinstance(ir, Validated), [d.message for d in ir.diagnostics]
    env = ir.environments[0]
    low = env.spec.serving.replicas.min if env.spec.serving.replicas else 2
    state = rollout_state(env.spec, Strategy.CANARY, 10)
    derived = Derived(Strategy.CANARY, low, 4, 100.0, 60, 10, None, 5, 0.01, 0.05, 0.1, 0.2, 0.25, 0.05, 0.1, 10, state)
    return Plan(env.name, env.spec, derived, (), env.document)


def _as_finding(code: str, f: object) -> object:
    from mlopsc.compiler.ir import Finding

    return Finding(code, Severity.ERROR, f.message, f.path, f.hint)  # type: ignore[attr-defined]


def _file(body: dict[str, object]) -> RenderedFile:
    import yaml

    return RenderedFile("production/m/kserve/x.yaml", yaml.safe_dump(body), "kserve", "production", "m", "X", body)


from mlopsc.policies.rules.secrets_in_output import SecretsInOutput as SecretsInOutputRule  # noqa: E402
