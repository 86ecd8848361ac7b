"""PRD012: in production, network isolation or private networking where the platform offers it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.compiler.rolloutstate import LIVE_SPLIT_STRATEGIES
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production


class NetworkIsolation(RuleInfo):
    id: ClassVar[str] = "PRD012"
    title: ClassVar[str] = "Private networking"
    description: ClassVar[str] = (
        "At level `production`, Vertex AI should serve on a private network (`platforms.vertex.network`, VPC "
        "peering) rather than a public endpoint. SageMaker network isolation is checked on the rendered template "
        "(RND005, `EnableNetworkIsolation`), where the target's decision is visible. A warning by default; an "
        "org policy can raise it to an error."
    )
    default_severity: ClassVar[Severity] = Severity.WARNING
    security: ClassVar[bool] = True

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        platforms = plan.spec.platforms
        if platforms.vertex is not None and not platforms.vertex.network:
            rollout = plan.derived.rollout
            hint = "set `network` (projects/<number>/global/networks/<name>) for a private endpoint"
            if rollout.previous is not None and rollout.strategy in LIVE_SPLIT_STRATEGIES:
                # a private endpoint serves one model: the gradual rollout would be VTX030 there
                hint = (
                    f"a private endpoint (`network`) serves one model, so this {rollout.strategy} rollout needs the "
                    "public one (VTX030): waive PRD012 for it in the org policy, or roll out all-at-once on a "
                    "private endpoint"
                )
            yield Finding("Vertex AI serves on a public endpoint", ("platforms", "vertex", "network"), hint)
