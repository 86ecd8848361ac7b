"""PRD005: in production, an online model runs at least 2 replicas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production, serves_online


class MinReplicas(RuleInfo):
    id: ClassVar[str] = "PRD005"
    title: ClassVar[str] = "At least two replicas"
    description: ClassVar[str] = (
        "At level `production`, a model that serves online (`online` or `hybrid`) must keep at least 2 replicas "
        "(the derived `serving.replicas.min`, written or derived from `scale`): one replica cannot be updated, "
        "rescheduled or lost without an outage."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        low = plan.derived.replicas_min
        if is_production(plan) and serves_online(plan) and low < 2:
            path = ("serving", "replicas", "min") if plan.spec.serving.replicas else ("serving", "scale")
            yield Finding(f"production keeps {low} replica(s) at minimum; it needs at least 2", path)
