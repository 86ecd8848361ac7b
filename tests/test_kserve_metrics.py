"""Every PromQL expression KServe files carry names only series a component of the deployment mode exports
(tests/kserve_metrics_model.py over metrics.CATALOG), on every golden and a mode x protocol x framework matrix;
drift, quality and SLOs without a producer render no alert and warn."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlopsc.compiler.spec.vocabulary import DeploymentMode
from mlopsc.targets.kserve.metrics import CATALOG
from tests.golden_cases import cases, render
from tests.kserve_metrics_model import check_expression, parse, tokens
from tests.kserve_network_model import mode_of
from tests.kserve_specs import Combo, combos, compile_text, spec_text
from tests.validators.rendered import problems


def expressions(docs: dict[str, Any]) -> list[str]:
    out: list[str] = []
    rule = docs.get("prometheusrule.yaml")
    if rule:
        out += [r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]]
    board = docs.get("dashboard.yaml")
    if board:
        (text,) = board["data"].values()
        out += [t["expr"] for p in json.loads(text)["panels"] for t in p["targets"]]
    return out


def problems_of(docs: dict[str, Any]) -> list[str]:
    isvc = docs.get("inferenceservice.yaml")
    if isvc is None:
        assert not expressions(docs)
        return []
    mode = DeploymentMode.RAW if mode_of(isvc) == "raw" else DeploymentMode.SERVERLESS
    name, ns = isvc["metadata"]["name"], isvc["metadata"]["namespace"]
    return [p for e in expressions(docs) for p in check_expression(e, mode, name, ns)]


def _folders(files: list[Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in files:
        if f.platform == "kserve" and isinstance(f.body, dict):
            folder, name = f.path.rsplit("/", 1)
            out.setdefault(folder, {})[name] = f.body
    return out


# --- the model itself ------------------------------------------------------------------------------------------

OLD_SERVERLESS = (
    'histogram_quantile(0.95, sum by (le) (rate(revision_app_request_latencies_bucket{namespace_name="credit",'
    'configuration_name="credit-scoring-predictor"}[5m]))) > 180'
)
OLD_RAW = (
    'sum(rate(istio_requests_total{destination_workload_namespace="credit",destination_workload="credit-scoring-'
    'predictor",response_code=~"5.."}[5m])) / clamp_min(sum(rate(istio_requests_total{destination_workload_namespace'
    '="credit",destination_workload="credit-scoring-predictor"}[5m])), 1e-9) > 0.005'
)
OLD_DRIFT = 'max by (feature) (mlopsc_feature_drift{model="credit-scoring",method="psi"}) > 0.1'


def test_model_rejects_the_metrics_nothing_exports() -> None:
    # what mlopsc rendered before: Knative's pre-1.19 names, Istio's telemetry in raw mode, the drift gauge
    assert check_expression(OLD_SERVERLESS, DeploymentMode.SERVERLESS, "credit-scoring", "credit")
    assert check_expression(OLD_RAW, DeploymentMode.RAW, "credit-scoring", "credit")
    assert check_expression(OLD_DRIFT, DeploymentMode.SERVERLESS, "credit-scoring", "credit")
    assert check_expression(OLD_DRIFT, DeploymentMode.RAW, "credit-scoring", "credit")


def test_model_rejects_labels_and_selectors_that_miss() -> None:
    # the namespace is a resource attribute: on target_info, not on the histogram
    wrong_label = 'sum(rate(kn_serving_invocation_duration_seconds_count{k8s_namespace_name="ns"}[5m]))'
    assert any("no label" in p for p in check_expression(wrong_label, DeploymentMode.SERVERLESS, "m", "ns"))
    join = ' * on (job, instance) group_left () target_info{k8s_namespace_name="ns",kn_configuration_name="%s"}'
    good = "sum(rate(kn_serving_invocation_duration_seconds_count[5m])" + join % "m-predictor" + ")"
    assert check_expression(good, DeploymentMode.SERVERLESS, "m", "ns") == []
    other = "sum(rate(kn_serving_invocation_duration_seconds_count[5m])" + join % "other-predictor" + ")"
    assert check_expression(other, DeploymentMode.SERVERLESS, "m", "ns")
    # a raw-mode metric in serverless mode, and a pod pattern that also watches another InferenceService
    raw = 'sum(rate(request_predict_seconds_count{namespace="ns",pod=~"m-.*",model_name="m"}[5m]))'
    assert check_expression(raw, DeploymentMode.SERVERLESS, "m", "ns")
    assert check_expression(raw, DeploymentMode.RAW, "m", "ns")
    exact = raw.replace('"m-.*"', '"m-predictor-.*"')
    assert check_expression(exact, DeploymentMode.RAW, "m", "ns") == []
    # histogram_quantile needs buckets by le
    bad_quantile = (
        'histogram_quantile(0.95, sum(rate(request_predict_seconds_count{namespace="ns",pod=~"m-predictor-.*"}[5m])))'
    )
    assert check_expression(bad_quantile, DeploymentMode.RAW, "m", "ns")


def test_reader_is_strict() -> None:
    with pytest.raises(ValueError):
        tokens("sum(rate(x[5m])) @ 100")
    with pytest.raises(ValueError):
        parse("label_replace(x, 'a', 'b', 'c', 'd')")


def test_every_catalog_entry_names_its_producer_and_source() -> None:
    for metrics in CATALOG.values():
        for m in metrics:
            assert m.producer and m.source and m.labels, m


# --- what mlopsc renders ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_goldens_alert_only_on_exported_metrics(case: Any) -> None:
    _tree, files = render(case)
    for folder, docs in _folders(files).items():
        assert problems_of(docs) == [], folder


RUNTIME_REFUSALS = {"KSV001", "KSV002"}  # no runtime for the format / the protocol
MATRIX = [c for c in combos() if c.serving == "online"]


@pytest.mark.parametrize("combo", MATRIX, ids=lambda c: c.id)
def test_matrix_alerts_only_on_exported_metrics(combo: Combo) -> None:
    result = compile_text(spec_text(combo))
    if result.errors():  # a cell KServe's runtimes do not serve: the refusal is the runtime one, nothing else
        assert {d.code for d in result.errors()} <= RUNTIME_REFUSALS, result.errors()
        return
    docs = {f.path.rsplit("/", 1)[1]: f.body for f in result.files}
    assert problems_of(docs) == []
    assert [p for f in result.files for p in problems(f)] == []  # and each file passes its CRD / schema
    codes = {d.code for d in result.diagnostics}
    assert "KSV030" in codes  # the spec asks for drift and quality
    if combo.mode == "serverless":
        # gRPC errors reach the queue-proxy as HTTP 200 (grpc-status trailer): no error-rate alert over gRPC
        grpc = combo.protocol == "grpc"
        assert "prometheusrule.yaml" in docs and ("KSV031" in codes) == grpc
        rules = [r for g in docs["prometheusrule.yaml"]["spec"]["groups"] for r in g["rules"]]
        assert {r["labels"]["slo"] for r in rules} == ({"latency"} if grpc else {"latency", "error_rate"})
    else:
        assert ("KSV031" in codes) == (combo.framework not in ("onnx",)), codes


def test_drift_and_quality_render_no_alert_and_warn() -> None:
    result = compile_text(spec_text(Combo("sklearn", "rest", "serverless")))
    warnings = [d for d in result.diagnostics if d.code == "KSV030"]
    assert len(warnings) == 2 and not result.errors()
    text = "".join(f.content for f in result.files)
    assert "mlopsc_feature_drift" not in text and "mlopsc_model_quality" not in text


def test_no_producer_renders_no_rule_and_no_dashboard() -> None:
    result = compile_text(spec_text(Combo("tensorflow", "rest", "raw", monitoring=False)))
    names = {f.path.rsplit("/", 1)[1] for f in result.files}
    assert "prometheusrule.yaml" not in names and "dashboard.yaml" not in names
    # REG001 (a note): this spec has no model.provenance, so its registry entry is incomplete
    assert [d.code for d in result.diagnostics if d.code != "REG001"] == ["KSV031"]
