"""PRD004: in production, serving resources are set."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production


class ResourcesSet(RuleInfo):
    id: ClassVar[str] = "PRD004"
    title: ClassVar[str] = "Resources set"
    description: ClassVar[str] = (
        "At level `production`, `serving.resources` (cpu and memory_gb per replica) must be set: without it the "
        "platforms fall back to their own defaults (KServe sets no requests, so the scheduler packs replicas "
        "anywhere; managed endpoints pick a default size), and capacity is not reviewable."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if is_production(plan) and plan.spec.serving.resources is None:
            yield Finding(
                "production needs `serving.resources` (cpu and memory_gb per replica)",
                ("serving", "resources"),
                "add `resources: {cpu: 2, memory_gb: 4}` under `serving`",
            )
