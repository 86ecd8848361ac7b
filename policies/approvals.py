"""Which approvals of an environment count, and why the others do not (shared by APR001 and APR002)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    """Indexes of the approvals of this environment that count (signatures aside), and the problems of the rest.

    Every comparison is in UTC: `today` and `now` are the run's one clock (compiler/clock.py), and `at`
    is converted to UTC whatever offset it was written with.
    """
    from mlopsc.policies.identity import same_person
    from mlopsc.policies.subject import subject_digest

    spec = plan.spec
    rules = ctx.policy.approvals
    subject = subject_digest(spec, plan.environment)
    artifact = spec.model.artifact.digest
    today, now = ctx.options.today, ctx.options.instant()
    owner = spec.metadata.owner
    valid: list[int] = []
    problems: list[Problem] = []
    for index, approval in enumerate(spec.governance.approvals):
        if approval.environment != plan.environment:
            continue
        found: list[Problem] = []
        if approval.digest != subject:
            if artifact is None:
                reason = (
                    f"it approves {_short(approval.digest)}, but the artifact has no digest (set model.artifact.digest)"
                )
            elif approval.digest == artifact:
                reason = (
                    "it approves the artifact digest alone; an approval binds the deployment subject "
                    f"({_short(subject)}: the artifact and every image, URI and command of the environment)"
                )
            else:
                reason = (
                    f"it approves {_short(approval.digest)}, the environment's deployment subject is "
                    f"{_short(subject)} (the artifact, an image, a URI or a command changed since)"
                )
            found.append(Problem(index, "digest", reason))
        if approval.expires is None:
            if rules.require_expires:
                found.append(Problem(index, "", "it has no `expires`; the org policy requires one"))
        elif approval.expires < today:
            found.append(Problem(index, "expires", f"it expired on {approval.expires.isoformat()} (UTC)"))
        at = approval.at.astimezone(dt.UTC)
        if at > now:
            found.append(Problem(index, "at", f"it is dated {at.isoformat()}, after now ({now.isoformat()}, UTC)"))
        if rules.max_age_days is not None and now - at > dt.timedelta(days=rules.max_age_days):
            found.append(
                Problem(
                    index,
                    "at",
                    f"it was given on {at.date().isoformat()} (UTC), more than {rules.max_age_days} days ago "
                    "(approvals.max_age_days)",
                )
            )
        if rules.roles and approval.role not in rules.roles:
            found.append(
                Problem(index, "role", f"role `{approval.role}` is not one of {', '.join(sorted(rules.roles))}")
            )
        elif rules.approvers and not any(same_person(approval.by, a) for a in rules.approvers.get(approval.role, [])):
            found.append(Problem(index, "by", f"{approval.by} does not hold role `{approval.role}` in the org policy"))
        if not rules.allow_self_approval and same_person(approval.by, owner):
            found.append(
                Problem(
                    index,
                    "by",
                    f"{approval.by} is the model's owner ({owner}) and cannot approve it (addresses compared "
                    "without case, +tags, punycode or look-alike letters)",
                )
            )
        if found:
            problems.extend(found)
        else:
            valid.append(index)
    return valid, problems


def _short(digest: str) -> str:
    return digest[:19] + "…" if digest.startswith("sha256:") and len(digest) > 19 else digest
