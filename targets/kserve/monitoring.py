"""The PrometheusRule and Grafana dashboard of a KServe deployment.

They read only metrics of `metrics.CATALOG`, the series a component of this deployment mode really exports
(see `targets/kserve/metrics.py` for each producer and its source): the Knative queue-proxy's OpenTelemetry
histogram in serverless mode, the model server's own `/metrics` in raw mode. An SLO whose signal no producer
exports renders no alert (warning KSV031); drift and quality render none (warning KSV030).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from mlopsc.compiler.ir import Json, Plan
from mlopsc.compiler.spec.vocabulary import DeploymentMode
from mlopsc.targets.kserve.metrics import Signals

RATE = "5m"


def promql_string(value: str) -> str:
    """A PromQL double-quoted string literal holding exactly `value` (backslash, quote and newline escaped):
    nothing a spec says can end the literal and change the expression."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _pct(fraction: float) -> str:
    """0.005 -> "0.5%", 0.05 -> "5%": as many digits as the value has, no more."""
    return f"{fraction * 100:.4g}%"


@dataclass(frozen=True)
class Queries:
    """The PromQL of one deployment's signals; None where no producer exports the signal."""

    latency: Callable[[float], str] | None  # quantile -> latency in seconds (the mean when `latency_is_mean`)
    rps: str | None
    errors: str | None  # the 5xx / failed share of requests


def queries(plan: Plan, namespace: str, mode: DeploymentMode, signals: Signals) -> Queries:
    name = plan.model_name
    if mode is DeploymentMode.SERVERLESS:
        # The revision's identity is on target_info (an OpenTelemetry resource): join it on (job, instance).
        join = (
            f" * on (job, instance) group_left () target_info{{k8s_namespace_name={promql_string(namespace)},"
            f"kn_configuration_name={promql_string(f'{name}-predictor')}}}"
        )
        hist = "kn_serving_invocation_duration_seconds"
        total = f"sum(rate({hist}_count[{RATE}]){join})"
        return Queries(
            latency=lambda q: f"histogram_quantile({q:g}, sum by (le) (rate({hist}_bucket[{RATE}]){join}))",
            rps=total,
            errors=(
                f'sum(rate({hist}_count{{http_response_status_code=~"5.."}}[{RATE}]){join}) / clamp_min({total}, 1e-9)'
                if signals.errors
                else None
            ),
        )
    pods = f"namespace={promql_string(namespace)},pod=~{promql_string(f'{name}-predictor-.*')}"
    if not signals.latency:
        return Queries(None, None, None)
    if not signals.latency_is_mean:  # the KServe Python servers' predict histogram
        sel = f"{pods},model_name={promql_string(name)}"
        return Queries(
            latency=lambda q: (
                f"histogram_quantile({q:g}, sum by (le) (rate(request_predict_seconds_bucket{{{sel}}}[{RATE}])))"
            ),
            rps=f"sum(rate(request_predict_seconds_count{{{sel}}}[{RATE}]))",
            errors=None,
        )
    # Triton: cumulative counters per model
    total = (
        f"(sum(rate(nv_inference_request_success{{{pods}}}[{RATE}])) + "
        f"sum(rate(nv_inference_request_failure{{{pods}}}[{RATE}])))"
    )
    return Queries(
        latency=lambda _q: (
            f"sum(rate(nv_inference_request_duration_us{{{pods}}}[{RATE}])) / 1e6 / clamp_min({total}, 1e-9)"
        ),
        rps=total,
        errors=f"sum(rate(nv_inference_request_failure{{{pods}}}[{RATE}])) / clamp_min({total}, 1e-9)",
    )


def prometheus_rule(
    plan: Plan, namespace: str, mode: DeploymentMode, signals: Signals, labels: dict[str, Json]
) -> Json | None:
    """The SLO alerts, or None when no producer exports any signal they need."""
    d = plan.derived
    spec = plan.spec
    name = plan.model_name
    q = queries(plan, namespace, mode, signals)
    rules: list[Json] = []

    def alert(
        alert_name: str, expr: str, minutes: int, severity: str, summary: str, description: str, slo: str
    ) -> None:
        rules.append(
            {
                "alert": alert_name,
                "expr": expr,
                "for": f"{minutes}m",
                "labels": {"severity": severity, "model": name, "environment": plan.environment, "slo": slo},
                "annotations": {"summary": summary, "description": description},
            }
        )

    camel = "".join(part.capitalize() for part in name.split("-"))
    if d.latency_alert_ms is not None and q.latency is not None:
        what = "mean latency" if signals.latency_is_mean else "p95 latency"
        alert(
            f"{camel}LatencyHigh",
            f"{q.latency(0.95)} > {d.latency_alert_ms / 1000:g}",
            d.latency_alert_minutes,
            "warning",
            f"{name}: {what} above {d.latency_alert_ms:g} ms",
            f"The {what} measured by the {signals.producer} has stayed above 1.5x the "
            f"{d.latency_alert_ms / 1.5:g} ms SLO for {d.latency_alert_minutes} minutes.",
            "latency",
        )
    if q.errors is not None:
        for level, value, severity, extra in (
            ("High", d.error_rate_alert, "warning", ""),
            ("Critical", d.error_rate_page, "critical", f": page the owner ({spec.metadata.owner})"),
        ):
            alert(
                f"{camel}ErrorRate{level}",
                f"{q.errors} > {value:g}",
                5,
                severity,
                f"{name}: error rate above {_pct(value)}",
                f"More than {_pct(value)} of requests failed over 5 minutes, as counted by the "
                f"{signals.producer}{extra}.",
                "error_rate",
            )
    if not rules:
        return None
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": f"{name}-slo", "namespace": namespace, "labels": labels},
        "spec": {"groups": [{"name": f"{name}.rules", "rules": rules}]},
    }


def dashboard(
    plan: Plan, namespace: str, mode: DeploymentMode, signals: Signals, labels: dict[str, Json]
) -> Json | None:
    """The Grafana dashboard of the signals a producer exports, or None when there are none."""
    name = plan.model_name
    q = queries(plan, namespace, mode, signals)
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

    if q.latency is not None:
        latency = q.latency
        if signals.latency_is_mean:
            panel("Latency (mean)", [(latency(0.5), "mean")], "s")
        else:
            panel("Latency", [(latency(p), f"p{round(p * 100)}") for p in (0.5, 0.95, 0.99)], "s")
    if q.rps is not None:
        panel("Requests per second", [(q.rps, "rps")], "reqps")
    if q.errors is not None:
        panel("Error rate", [(q.errors, "error share")], "percentunit")
    if not panels:
        return None
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
