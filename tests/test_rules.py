"""Each decision rule, directly: what it decides from which inputs, and what it refuses."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import yaml

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Decided, Json, Options
from mlopsc.compiler.passes import run
from tests.bad_inputs import BASE
from tests.golden_cases import TODAY


def _decide(patch: Mapping[str, object] | None = None, text: str = BASE) -> Decided:
    document = yaml.safe_load(text)
    for dotted, value in (patch or {}).items():
        node = document
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    ir = run("mlops.yaml", yaml.safe_dump(document).encode(), Options(targets=("kserve",)), until="decide")
    assert isinstance(ir, Decided), ir.diagnostics
    return ir


def _value(ir: Decided, field: str) -> Json:
    (plan,) = ir.plans
    return next(d.value for d in plan.decisions if d.field == field)


def _codes(ir: Decided) -> list[tuple[str, Severity]]:
    return [(d.code, d.severity) for d in ir.diagnostics]


@pytest.mark.parametrize(("risk", "strategy"), [("low", "blue-green"), ("medium", "canary"), ("high", "shadow")])
def test_r001_strategy_from_risk(risk: str, strategy: str) -> None:
    patch: dict[str, object] = {"governance.risk": risk}
    if strategy == "shadow":
        patch["rollout"] = {"previous": {"version": "0.9.0", "artifact": {"uri": "s3://m/0.9.0"}}}
    ir = _decide(patch)
    assert _value(ir, "rollout.strategy") == strategy
    (plan,) = ir.plans
    decision = next(d for d in plan.decisions if d.field == "rollout.strategy")
    assert decision.kind == "default" and decision.inputs[0].path == "governance.risk"


def test_r001_given_strategy_wins() -> None:
    assert _value(_decide({"rollout": {"strategy": "ab"}, "governance.risk": "high"}), "rollout.strategy") == "ab"


@pytest.mark.parametrize(
    ("level", "rps", "rpr", "expected"),
    [
        ("staging", 100, None, (1, 2)),
        ("production", 100, None, (2, 2)),
        ("production", 1000, None, (2, 15)),
        ("staging", 500, 50, (1, 15)),
        ("experimental", 10, None, (1, 1)),
    ],
)
def test_r002_replicas_from_scale(level: str, rps: int, rpr: int | None, expected: tuple[int, int]) -> None:
    patch: dict[str, object] = {"governance.level": level, "serving.scale": {"rps": rps, "latency_ms": 200}}
    if rpr:
        patch["serving.scale"] = {"rps": rps, "latency_ms": 200, "rps_per_replica": rpr}
    if level == "production":
        patch.update(
            {
                "model.provenance": {
                    "git_commit": "abcdef1",
                    "dataset_snapshot_uri": "s3://d/1",
                    "environment_lockfile_uri": "s3://e/1",
                },
                "governance.model_card": {"intended_use": "x", "limitations": "y"},
                "monitoring": {"slo": {"p95_latency_ms": 200}, "capture": {"destination": "s3://c/"}},
            }
        )
    ir = _decide(patch)
    assert (_value(ir, "serving.replicas.min"), _value(ir, "serving.replicas.max")) == expected
    assumption = next(d for d in ir.plans[0].decisions if d.field == "serving.scale.rps_per_replica")
    assert assumption.kind == ("assumption" if rpr is None else "derived")


def test_r002_over_1000_rps_needs_autoscaling() -> None:
    ir = run(
        "mlops.yaml",
        BASE.replace("  scale: {rps: 100", "  replicas: {min: 3, max: 3}\n  scale: {rps: 1500").encode(),
        Options(targets=("kserve",)),
    )
    assert ("R002", Severity.ERROR) in [(d.code, d.severity) for d in ir.diagnostics]


@pytest.mark.parametrize(
    ("latency", "optimised", "outcome"),
    [
        (30, False, ("R003", Severity.ERROR)),
        (30, True, None),
        (80, False, ("R003", Severity.WARNING)),
        (200, False, None),
        (600, False, ("R003", Severity.NOTE)),
    ],
)
def test_r003_latency_class(latency: int, optimised: bool, outcome: tuple[str, Severity] | None) -> None:
    document = yaml.safe_load(BASE)
    document["serving"]["scale"] = {"rps": 100, "latency_ms": latency}
    if optimised:
        document["model"]["optimizations"] = ["quantization"]
    ir = run("mlops.yaml", yaml.safe_dump(document).encode(), Options(targets=("kserve",)), until="decide")
    r003 = [(d.code, d.severity) for d in ir.diagnostics if d.code == "R003"]
    assert r003 == ([outcome] if outcome else [])


@pytest.mark.parametrize(
    ("size", "startup", "delay", "warns"),
    [(None, 120, 10, False), (0.9, 120, 10, False), (1.5, 240, 40, True), (40, 1800, 610, True)],
)
def test_r004_timeouts_from_artifact_size(size: float | None, startup: int, delay: int, warns: bool) -> None:
    ir = _decide({"model.artifact.size_gb": size})
    assert _value(ir, "serving.startup_timeout_s") == startup
    assert _value(ir, "serving.readiness_initial_delay_s") == delay
    assert (("R004", Severity.WARNING) in _codes(ir)) == warns


def test_r005_traffic_defaults() -> None:
    previous = {"version": "0.9.0", "artifact": {"uri": "s3://m/0.9.0"}}
    assert _value(_decide({"rollout": {"strategy": "canary", "previous": previous}}), "rollout.traffic") == 10
    assert (
        _value(_decide({"rollout": {"strategy": "canary", "steps": [5, 100], "previous": previous}}), "rollout.traffic")
        == 5
    )
    assert _value(_decide({"rollout": {"strategy": "blue-green", "previous": previous}}), "rollout.traffic") == 0
    assert _value(_decide({"rollout": {"strategy": "canary"}}), "rollout.traffic") == 100


def test_r006_records_where_production_requirements_apply_and_policy_enforces_them() -> None:
    spec = BASE.replace("level: staging", "level: production").encode()
    decided = run("mlops.yaml", spec, Options(), until="decide")
    assert not [d for d in decided.diagnostics if d.is_error]  # R006 decides; it does not refuse
    assert isinstance(decided, Decided)
    assert _value(decided, "governance.production_checks") is True
    full = run("mlops.yaml", spec, Options(today=TODAY))
    codes = {d.code for d in full.diagnostics if d.is_error}
    assert {"PRD007", "PRD008", "PRD009", "PRD010", "APR001"} <= codes
    assert "PRD005" not in codes  # the derived min is 2 in production


def test_r007_monitoring_defaults_and_slo() -> None:
    ir = _decide({"monitoring": {"slo": {"p95_latency_ms": 100, "error_rate": 0.02}}})
    assert _value(ir, "monitoring.latency_alert_ms") == 150
    assert _value(ir, "monitoring.error_rate_alert") == 0.02
    assert _value(ir, "monitoring.error_rate_page") == 0.05
    assert _value(ir, "monitoring.drift.retrain") == 0.25
    assert _value(ir, "monitoring.quality.retrain_drop") == 0.10
