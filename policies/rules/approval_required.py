"""APR001: environments at an approval level need a valid, digest-bound approval."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.approvals import approvals_path, evaluate, needs_approval
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext


class ApprovalRequired(RuleInfo):
    id: ClassVar[str] = "APR001"
    title: ClassVar[str] = "Approval bound to the artifact"
    description: ClassVar[str] = (
        "An environment whose governance level needs approval (`approvals.levels` of the org policy; default: "
        "`production`) needs at least one record in `governance.approvals` that: names that environment; "
        "approves exactly what the environment deploys: its `digest` equals the environment's deployment subject "
        "digest, SHA-256 over the artifact digest and every image, URI, mirror, capture destination and command "
        "of the environment's effective spec (so changing any of them needs a new approval; `mlopsc approve` "
        "computes it); has not expired (`expires`, optional, is today or later in UTC; the org policy can "
        "require it with `approvals.require_expires`); is not dated after the run's instant (`at`, compared "
        "in UTC) and, when the org policy sets `approvals.max_age_days`, is not older than that; has a role "
        "listed in `approvals.roles` (when the policy lists any) held by the approver "
        "(`approvals.approvers.<role>`, when the policy lists approvers); and was not given by the model's "
        "owner (`metadata.owner`; addresses compared NFKC-casefolded, without `+tags`, with punycode domains "
        "decoded and look-alike letters folded; `approvals.allow_self_approval: true` lifts this). When no "
        "record counts, each record of the environment is reported at the "
        "field that disqualifies it; with no record at all, the finding points at `governance`. Write a "
        "record with `mlopsc approve PATH --env E --by X --role R`."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not needs_approval(plan, ctx):
            return
        valid, problems = evaluate(plan, ctx)
        if valid:
            return
        level = plan.spec.governance.level.value
        hint = f"run `mlopsc approve <spec> --env {plan.environment} --by <approver> --role <role>`"
        if not problems:
            path = ("governance", "approvals") if plan.spec.governance.approvals else ("governance",)
            yield Finding(
                f"environment `{plan.environment}` (level {level}) has no approval for artifact "
                f"{plan.spec.model.artifact.digest or '(no digest)'}",
                path,
                hint,
                at_key=True,
            )
            return
        for problem in problems:
            yield Finding(
                f"the approval for `{plan.environment}` does not count: {problem.reason}",
                approvals_path(problem.index, problem.field),
                hint,
            )
