"""Which approvals of an environment count, and why the others do not (shared by APR001 and APR002)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mlopsc.compiler.ir import Plan
from mlopsc.compiler.source import Path_
from mlopsc.policies.context import PolicyContext


@dataclass(frozen=True)
class Problem:
    index: int  # position in governance.approvals
    field: str  # the field at fault, the finding points at it
    reason: str


def needs_approval(plan: Plan, ctx: PolicyContext) -> bool:
    return plan.spec.governance.level.value in ctx.policy.approvals.levels


def approvals_path(index: int, field: str = "") -> Path_:
    base: Path_ = ("governance", "approvals", index)
    return (*base, field) if field else base


def evaluate(plan: Plan, ctx: PolicyContext) -> tuple[list[int], list[Problem]]:
    """Indexes of the approvals of this environment that count (signatures aside), and the problems of the rest."""
    spec = plan.spec
    rules = ctx.policy.approvals
    digest = spec.model.artifact.digest
    today = ctx.options.today
    owner = spec.metadata.owner.lower()
    valid: list[int] = []
    problems: list[Problem] = []
    for index, approval in enumerate(spec.governance.approvals):
        if approval.environment != plan.environment:
            continue
        found: list[Problem] = []
        if digest is None:
            found.append(
                Problem(
                    index,
                    "digest",
                    f"it approves {_short(approval.digest)}, "
                    "but the artifact has no digest (set model.artifact.digest)",
                )
            )
        elif approval.digest != digest:
            found.append(
                Problem(index, "digest", f"it approves {_short(approval.digest)}, the artifact is {_short(digest)}")
            )
        if approval.expires < today:
            found.append(Problem(index, "expires", f"it expired on {approval.expires.isoformat()}"))
        at_day = approval.at.date()
        if at_day > today:
            found.append(Problem(index, "at", f"it is dated {at_day.isoformat()}, after today ({today.isoformat()})"))
        if rules.max_age_days is not None and today - at_day > timedelta(days=rules.max_age_days):
            found.append(
                Problem(
                    index,
                    "at",
                    f"it was given on {at_day.isoformat()}, more than {rules.max_age_days} days ago "
                    "(approvals.max_age_days)",
                )
            )
        if rules.roles and approval.role not in rules.roles:
            found.append(
                Problem(index, "role", f"role `{approval.role}` is not one of {', '.join(sorted(rules.roles))}")
            )
        elif rules.approvers and approval.by.lower() not in {a.lower() for a in rules.approvers.get(approval.role, [])}:
            found.append(Problem(index, "by", f"{approval.by} does not hold role `{approval.role}` in the org policy"))
        if approval.by.lower() == owner:
            found.append(Problem(index, "by", f"{approval.by} owns the model and cannot approve it"))
        if found:
            problems.extend(found)
        else:
            valid.append(index)
    return valid, problems


def _short(digest: str) -> str:
    return digest[:19] + "…" if digest.startswith("sha256:") and len(digest) > 19 else digest
