"""PRD010: in production, request/response capture."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production


class DataCapture(RuleInfo):
    id: ClassVar[str] = "PRD010"
    title: ClassVar[str] = "Data capture"
    description: ClassVar[str] = (
        "At level `production`, `monitoring.capture` must be set: without captured requests and responses, drift "
        "and quality cannot be measured and an incident cannot be replayed."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        monitoring = plan.spec.monitoring
        if is_production(plan) and (monitoring is None or monitoring.capture is None):
            yield Finding(
                "production needs request/response capture",
                ("monitoring", "capture"),
                "add `monitoring.capture: {destination: ..., sample_percent: ...}`",
            )
