"""The PrometheusRule and Grafana dashboard of a KServe deployment.

Metrics (recorded as decisions, so `explain` says what the alerts assume):
- serverless (KServe "Knative" mode): Knative's queue-proxy, which fronts every revision:
  `revision_app_request_latencies_bucket` (milliseconds) and `revision_app_request_count` with `response_code_class`.
- raw (KServe "Standard" mode): Istio's standard telemetry, `istio_request_duration_milliseconds_bucket` and
  `istio_requests_total` with `response_code` (the raw mode has no queue-proxy).
- Drift and quality: KServe computes neither; the platform's drift detector (fed by the payload
  logger) exports the gauges `mlopsc_feature_drift{model,feature,method}` and
  `mlopsc_model_quality{model,metric}`. The alerts name those gauges.
"""

from __future__ import annotations

import json

from mlopsc.compiler.ir import Json, Plan
from mlopsc.compiler.spec.vocabulary import DeploymentMode


def promql_string(value: str) -> str:
    """A PromQL double-quoted string literal holding exactly `value` (backslash, quote and newline escaped):
    nothing a spec says can end the literal and change the expression."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def promql_alternation(values: list[str]) -> str:
    """A `=~` matcher's string that matches exactly these values: regex metacharacters escaped (RE2)."""
    return promql_string("|".join("".join(f"\\{c}" if c in _RE2_SPECIAL else c for c in v) for v in values))


def _pct(fraction: float) -> str:
    """0.005 -> "0.5%", 0.05 -> "5%": as many digits as the value has, no more."""
    return f"{fraction * 100:.4g}%"


def selectors(plan: Plan, namespace: str, mode: DeploymentMode) -> tuple[str, str, str]:
    """(latency histogram, request counter, label selector) for the predictor of this model."""
    name = plan.model_name
    if mode is DeploymentMode.SERVERLESS:
        sel = f'namespace_name="{namespace}",configuration_name="{name}-predictor"'
        return "revision_app_request_latencies_bucket", "revision_app_request_count", sel
    sel = f'destination_workload_namespace="{namespace}",destination_workload="{name}-predictor"'
    return "istio_request_duration_milliseconds_bucket", "istio_requests_total", sel


def _errors_expr(counter: str, sel: str, mode: DeploymentMode) -> str:
    five = 'response_code_class="5xx"' if mode is DeploymentMode.SERVERLESS else 'response_code=~"5.."'
    return f"sum(rate({counter}{{{sel},{five}}}[5m])) / clamp_min(sum(rate({counter}{{{sel}}}[5m])), 1e-9)"


def prometheus_rule(plan: Plan, namespace: str, mode: DeploymentMode, labels: dict[str, Json]) -> Json:
    d = plan.derived
    spec = plan.spec
    name = plan.model_name
    hist, counter, sel = selectors(plan, namespace, mode)
    rules: list[Json] = []

    def alert(
        alert_name: str,
        expr: str,
        minutes: int,
        severity: str,
        summary: str,
        description: str,
        extra: dict[str, str] | None = None,
    ) -> None:
        alert_labels: dict[str, Json] = {"severity": severity, "model": name, "environment": plan.environment}
        alert_labels.update(extra or {})
        rules.append(
            {
                "alert": alert_name,
                "expr": expr,
                "for": f"{minutes}m",
                "labels": alert_labels,
                "annotations": {"summary": summary, "description": description},
            }
        )

    camel = "".join(part.capitalize() for part in name.split("-"))
    if d.latency_alert_ms is not None:
        alert(
            f"{camel}LatencyHigh",
            f"histogram_quantile(0.95, sum by (le) (rate({hist}{{{sel}}}[5m]))) > {d.latency_alert_ms:g}",
            d.latency_alert_minutes,
            "warning",
            f"{name}: p95 latency above {d.latency_alert_ms:g} ms",
            f"p95 latency has stayed above 1.5x the {d.latency_alert_ms / 1.5:g} ms SLO for "
            f"{d.latency_alert_minutes} minutes.",
            {"slo": "latency"},
        )
    errors = _errors_expr(counter, sel, mode)
    alert(
        f"{camel}ErrorRateHigh",
        f"{errors} > {d.error_rate_alert:g}",
        5,
        "warning",
        f"{name}: 5xx error rate above {_pct(d.error_rate_alert)}",
        f"More than {_pct(d.error_rate_alert)} of requests fail with 5xx over 5 minutes.",
        {"slo": "error_rate"},
    )
    alert(
        f"{camel}ErrorRateCritical",
        f"{errors} > {d.error_rate_page:g}",
        5,
        "critical",
        f"{name}: 5xx error rate above {_pct(d.error_rate_page)}",
        f"More than {_pct(d.error_rate_page)} of requests fail with 5xx over 5 minutes: page the owner "
        f"({spec.metadata.owner}).",
        {"slo": "error_rate"},
    )
    mon = spec.monitoring
    if mon and mon.drift:
        method = mon.drift.method.value
        features = mon.drift.features or [f.name for f in (spec.model.signature.inputs if spec.model.signature else [])]
        feature_sel = f",feature=~{promql_alternation(features)}" if features else ""
        drift = f'max by (feature) (mlopsc_feature_drift{{model="{name}",method="{method}"{feature_sel}}})'
        for level, value, severity in (
            ("Monitor", d.drift_monitor, "info"),
            ("Investigate", d.drift_investigate, "warning"),
            ("Retrain", d.drift_retrain, "critical"),
        ):
            extra = {"action": "retrain"} if level == "Retrain" else {}
            alert(
                f"{camel}Drift{level}",
                f"{drift} > {value:g}",
                15,
                severity,
                f"{name}: {method} drift above {value:g} ({level.lower()})",
                f"Feature drift ({method}) has stayed above the {level.lower()} threshold {value:g} for 15 minutes.",
                extra,
            )
    if mon and mon.quality:
        q = mon.quality
        gauge = f'mlopsc_model_quality{{model="{name}",metric={promql_string(q.metric)}}}'
        for level, drop, severity in (
            ("Investigate", d.quality_investigate_drop, "warning"),
            ("Retrain", d.quality_retrain_drop, "critical"),
        ):
            floor = q.baseline * (1 - drop)
            extra = {"action": "retrain"} if level == "Retrain" else {}
            alert(
                f"{camel}Quality{level}",
                f"{gauge} < {floor:.6g}",
                60,
                severity,
                f"{name}: {q.metric} below {floor:.4g}",
                f"{q.metric} dropped more than {_pct(drop)} below the baseline {q.baseline:g}.",
                extra,
            )
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": f"{name}-slo", "namespace": namespace, "labels": labels},
        "spec": {"groups": [{"name": f"{name}.rules", "rules": rules}]},
    }


def dashboard(plan: Plan, namespace: str, mode: DeploymentMode, labels: dict[str, Json]) -> Json:
    name = plan.model_name
    hist, counter, sel = selectors(plan, namespace, mode)
    panels: list[dict[str, object]] = []

    def panel(title: str, exprs: list[tuple[str, str]], unit: str) -> None:
        i = len(panels)
        panels.append(
            {
                "id": i + 1,
                "title": title,
                "type": "timeseries",
                "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "targets": [
                    {"expr": e, "legendFormat": legend, "refId": chr(65 + j)} for j, (e, legend) in enumerate(exprs)
                ],
            }
        )

    panel(
        "Latency",
        [
            (f"histogram_quantile({q}, sum by (le) (rate({hist}{{{sel}}}[5m])))", f"p{int(q * 100)}")
            for q in (0.5, 0.95, 0.99)
        ],
        "ms",
    )
    panel("Requests per second", [(f"sum(rate({counter}{{{sel}}}[5m]))", "rps")], "reqps")
    panel("Error rate (5xx)", [(_errors_expr(counter, sel, mode), "5xx share")], "percentunit")
    panel("Feature drift", [(f'max by (feature) (mlopsc_feature_drift{{model="{name}"}})', "{{feature}}")], "none")
    board = {
        "title": f"{name} ({plan.environment})",
        "uid": f"mlopsc-{name}-{plan.environment}"[:40],
        "schemaVersion": 39,
        "tags": ["mlopsc", name, plan.environment],
        "time": {"from": "now-6h", "to": "now"},
        "panels": panels,
    }
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{name}-dashboard",
            "namespace": namespace,
            "labels": {**labels, "grafana_dashboard": "1"},
        },
        "data": {f"{name}.json": json.dumps(board, indent=2, sort_keys=True)},
    }
