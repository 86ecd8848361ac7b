"""PRD006: in production, no all-at-once rollout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.compiler.spec.vocabulary import Strategy
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production, serves_online


class GradualRollout(RuleInfo):
    id: ClassVar[str] = "PRD006"
    title: ClassVar[str] = "Gradual rollout"
    description: ClassVar[str] = (
        "At level `production`, a model that serves online must not roll out all at once: use canary, "
        "blue-green, shadow or ab (the derived strategy, written in `rollout.strategy` or chosen from "
        "`governance.risk`), so that a bad version reaches part of the traffic, or none, before all of it."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if is_production(plan) and serves_online(plan) and plan.derived.strategy is Strategy.ALL_AT_ONCE:
            yield Finding(
                "production rolls out all at once", ("rollout", "strategy"), "use canary, blue-green, shadow or ab"
            )
