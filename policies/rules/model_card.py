"""PRD008: in production, a model card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production


class ModelCard(RuleInfo):
    id: ClassVar[str] = "PRD008"
    title: ClassVar[str] = "Model card"
    description: ClassVar[str] = (
        "At level `production`, `governance.model_card` must say what the model is for (`intended_use`) and "
        "where it must not be trusted (`limitations`): the people who approve and operate it need both."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if is_production(plan) and plan.spec.governance.model_card is None:
            yield Finding(
                "production needs a model card",
                ("governance", "model_card"),
                "add `governance.model_card` with intended_use and limitations",
            )
