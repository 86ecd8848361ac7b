"""The pydantic model of `.mlopsc/policy.yaml` and its loader: imported only when a policy file exists.

The file is read with the project's YAML loader (positions for every node) and checked with pydantic
(frozen, unknown keys rejected), so a malformed file is a positioned error: the policy fails closed.
What it returns are the plain settings of `orgpolicy.py`, which the rules read.
"""

from __future__ import annotations

import typing
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import Finding, Unit
from mlopsc.compiler.source import Path_
from mlopsc.compiler.spec.patterns import EMAIL
from mlopsc.policies.orgpolicy import (
    DEFAULT_APPROVALS,
    MAX_WAIVER_DAYS,
    POLICY_INVALID,
    RULE_ID,
    WAIVER_EXPIRED,
    WAIVER_TOO_LONG,
    ApprovalRules,
    LoadedPolicy,
    PolicySettings,
    Waiver,
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Approvals(_Model):
    levels: list[Annotated[str, StringConstraints(pattern=r"^(experimental|staging|production)$")]] = list(
        DEFAULT_APPROVALS.levels
    )
    """Governance levels whose environments need an approval."""
    roles: list[Annotated[str, StringConstraints(min_length=1)]] = []
    """An approval counts only when its role is one of these; empty: any role."""
    approvers: dict[str, list[Annotated[str, StringConstraints(pattern=EMAIL)]]] = {}
    """Who holds each role. Empty: anyone holds any role; otherwise a role's holders are exactly the listed ones."""
    max_age_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """An approval older than this (from its `at`) no longer counts; none: only `expires` limits it."""
    require_signatures: bool = False
    """Every counted approval must carry an SSH signature (`ssh-keygen -Y sign`) over its canonical subject."""
    allowed_signers: str | None = None
    """ssh-keygen allowed-signers file; relative paths start at the folder holding `.mlopsc/` (or at the
    folder of a `--policy` file kept elsewhere). Required with `require_signatures`."""
    require_expires: bool = False
    """Every counted approval must carry `expires` (spec v1 makes it optional: without it an approval stands
    until its subject changes)."""
    allow_self_approval: bool = False
    """Let the model's owner approve it. Off by default: addresses are compared in canonical form (case,
    `+tag`, punycode and look-alike letters folded)."""


class WaiverModel(_Model):
    rule: Annotated[str, StringConstraints(pattern=RULE_ID)]
    model: Annotated[str, StringConstraints(min_length=1)]
    environment: Annotated[str, StringConstraints(pattern=r"^(\*|[a-z][a-z0-9-]{0,30})$")]
    """An environment name, or `*` for findings of the spec file as a whole (every environment)."""
    path: str | None = None
    """Dotted path of the finding (or a parent of it), or a rendered file path; none: any finding of the rule."""
    reason: Annotated[str, StringConstraints(min_length=10)]
    owner: Annotated[str, StringConstraints(pattern=EMAIL)]
    ticket: Annotated[str, StringConstraints(min_length=1)]
    expires: Annotated[date, Field(strict=False)]


class OrgPolicy(_Model):
    version: typing.Literal[1] = 1
    severity: dict[Annotated[str, StringConstraints(pattern=RULE_ID)], Annotated[Severity, Field(strict=False)]] = {}
    """Per-rule severity override: error, warning or note."""
    approvals: Approvals = Approvals()
    waivers: list[Any] = []
    """Checked one by one as `Waiver`s by the loader."""


def settings(policy: OrgPolicy) -> PolicySettings:
    return PolicySettings(dict(policy.severity), ApprovalRules(**policy.approvals.model_dump()))


def load(path: Path, known_rules: frozenset[str], today: date) -> LoadedPolicy:
    """Read, check and return the policy at `path`."""
    from mlopsc.compiler.passes.parse import parse

    display = _display(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diag = Diagnostic(display, 0, 0, POLICY_INVALID, Severity.ERROR, f"cannot read the policy file: {exc.strerror}")
        return LoadedPolicy(PolicySettings(), diagnostics=(diag,), usable=False)
    parsed = parse(display, raw)
    unit = parsed.unit
    if any(d.is_error for d in parsed.diagnostics):
        return LoadedPolicy(PolicySettings(), unit=unit, diagnostics=_recode(parsed.diagnostics), usable=False)
    document = parsed.document
    try:
        policy = OrgPolicy.model_validate(document)
    except ValidationError as exc:
        return LoadedPolicy(PolicySettings(), unit=unit, diagnostics=tuple(_errors(unit, exc, ())), usable=False)
    problems: list[Diagnostic] = []
    for rule_id in policy.severity:
        if rule_id not in known_rules:
            problems.append(_at(unit, ("severity", rule_id), f"unknown policy rule `{rule_id}`", at_key=True))
    waivers: list[tuple[int, Waiver]] = []
    for index, raw_waiver in enumerate(policy.waivers):
        base: Path_ = ("waivers", index)
        try:
            waiver = Waiver(**WaiverModel.model_validate(raw_waiver).model_dump())
        except ValidationError as exc:
            problems.extend(_errors(unit, exc, base, prefix="waiver: "))
            continue
        if waiver.rule not in known_rules:
            problems.append(_at(unit, (*base, "rule"), f"waiver for unknown policy rule `{waiver.rule}`"))
            continue
        if waiver.expires < today:
            problems.append(
                _at(
                    unit,
                    (*base, "expires"),
                    f"waiver of {waiver.rule} for {waiver.model}/{waiver.environment} expired on "
                    f"{waiver.expires.isoformat()}: the finding is reported again",
                    code=WAIVER_EXPIRED,
                    hint="fix the finding, or renew the waiver with a new reason, ticket and expiry",
                )
            )
            continue
        if waiver.expires > today + timedelta(days=MAX_WAIVER_DAYS):
            problems.append(
                _at(
                    unit,
                    (*base, "expires"),
                    f"waiver expires {waiver.expires.isoformat()}, more than {MAX_WAIVER_DAYS} days after "
                    f"{today.isoformat()}: it is not applied",
                    code=WAIVER_TOO_LONG,
                    hint=f"set `expires` at most {(today + timedelta(days=MAX_WAIVER_DAYS)).isoformat()}",
                )
            )
            continue
        waivers.append((index, waiver))
    approvals = policy.approvals
    usable = True
    if approvals.require_signatures and not approvals.allowed_signers:
        problems.append(
            _at(
                unit,
                ("approvals", "require_signatures"),
                "`require_signatures` needs `allowed_signers` (an ssh-keygen allowed-signers file)",
            )
        )
        usable = False
    return LoadedPolicy(settings(policy), tuple(waivers), unit, tuple(problems), usable)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _recode(diagnostics: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    from dataclasses import replace

    return tuple(replace(d, message=f"policy file: {d.message}") for d in diagnostics)


def _at(
    unit: Unit, path: Path_, message: str, code: str = POLICY_INVALID, hint: str = "", at_key: bool = False
) -> Diagnostic:
    return unit.diagnostic(Finding(code, Severity.ERROR, message, path, hint), at_key=at_key)


def _errors(unit: Unit, exc: ValidationError, base: Path_, prefix: str = "") -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
        path: Path_ = (*base, *loc)
        kind = error["type"]
        if kind == "extra_forbidden":
            message = f"{prefix}unknown field `{loc[-1]}`"
        elif kind == "missing":
            message = f"{prefix}`{loc[-1]}` is required"
        else:
            where = ".".join(str(p) for p in loc)
            message = f"{prefix}`{where}`: {error['msg']}"
        out.append(_at(unit, path, message, at_key=kind == "extra_forbidden"))
    return out
