"""APR002: signed approvals, when the org policy asks for them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.approvals import approvals_path, evaluate, needs_approval
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.signatures import Subject, verify


class ApprovalSignature(RuleInfo):
    id: ClassVar[str] = "APR002"
    title: ClassVar[str] = "Signed approvals"
    description: ClassVar[str] = (
        "When the org policy sets `approvals.require_signatures: true`, every approval that APR001 would count "
        "must carry an SSH signature (`signature`) made with `ssh-keygen -Y sign` (namespace `mlopsc-approval`) "
        "over its canonical subject: model name, environment, deployment subject digest (`digest`), role, "
        "approver (`by`), time (`at`, in UTC) and expiry (`none` when absent), one `name: value` line each "
        "after the line `mlopsc-approval-v2`. It is checked with `ssh-keygen -Y verify` "
        "against the allowed-signers file named by `approvals.allowed_signers`, with the approval's `by` as the "
        "signer identity: the approver's key must be listed for that principal. A missing or bad signature is an "
        "error at the record. `mlopsc approve ... --sign-key KEY` writes a signed record."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        rules = ctx.policy.approvals
        if not rules.require_signatures or not rules.allowed_signers or not needs_approval(plan, ctx):
            return
        signers = Path(rules.allowed_signers)
        if not signers.is_absolute() and ctx.policy_folder is not None:
            signers = ctx.policy_folder / signers
        valid, _ = evaluate(plan, ctx)
        for index in valid:
            approval = plan.spec.governance.approvals[index]
            if not approval.signature:
                yield Finding(
                    f"the approval for `{plan.environment}` by {approval.by} is not signed; the org policy "
                    "requires signed approvals",
                    approvals_path(index),
                    "sign it: `mlopsc approve ... --sign-key ~/.ssh/id_ed25519`",
                )
                continue
            subject = Subject(
                plan.model_name,
                plan.environment,
                approval.digest,
                approval.role,
                approval.by,
                approval.at,
                approval.expires,
            )
            problem = verify(subject, approval.signature, approval.by, signers)
            if problem:
                yield Finding(
                    f"the signature of the approval for `{plan.environment}` by {approval.by} does not verify: "
                    f"{problem}",
                    approvals_path(index, "signature"),
                    f"the allowed-signers file ({rules.allowed_signers}) must list {approval.by} with the key "
                    "that signed this exact record",
                )
