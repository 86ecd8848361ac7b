"""PRD007: in production, monitoring with something that alerts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production


class MonitoringAlerts(RuleInfo):
    id: ClassVar[str] = "PRD007"
    title: ClassVar[str] = "Monitoring and alerts"
    description: ClassVar[str] = (
        "At level `production`, `monitoring` must be set with at least one serving SLO (`slo.p95_latency_ms` or "
        "`slo.error_rate`): the targets turn SLOs into alerts (PrometheusRule, CloudWatch alarms, Vertex and "
        "Azure ML alerting), so without one nothing tells anyone that the model is failing its users. Drift "
        "detection alone watches the data, not the service."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        monitoring = plan.spec.monitoring
        if monitoring is None:
            yield Finding(
                "production needs `monitoring` with an SLO",
                ("monitoring",),
                "add `monitoring: {slo: {p95_latency_ms: ..., error_rate: ...}}`",
            )
        elif monitoring.slo.p95_latency_ms is None and monitoring.slo.error_rate is None:
            yield Finding(
                "production needs an alerting SLO: `monitoring.slo.p95_latency_ms` or `monitoring.slo.error_rate`",
                ("monitoring", "slo"),
                "the targets render alerts from the SLO",
            )
