"""The org policy file `.mlopsc/policy.yaml`: severities, who approves what, and waivers.

Found by walking up from each spec's folder (the first `.mlopsc/policy.yaml` wins; the walk stops at
the folder that holds `.git`, or at the filesystem root), or given with `--policy FILE`. It is read
with the project's YAML loader (positions for every node) and checked with pydantic (frozen, unknown
keys rejected), so a malformed file is a positioned error: the policy fails closed.

Without a file the default policy applies (documented in docs/policies.md): every rule at its default
severity; environments at level `production` need an approval bound to the artifact digest, from any
role, by anyone but the model's owner, not expired; no signatures; no waivers.

Waivers are validated one by one, so a malformed waiver is an error at its own position (and is not
applied) while the rest of the file still works.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import Finding, Unit
from mlopsc.compiler.source import Path_

POLICY_FILE = Path(".mlopsc") / "policy.yaml"
MAX_WAIVER_DAYS = 90
RULE_ID = r"^[A-Z]{3}[0-9]{3}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"

# Diagnostic codes of the policy file itself (not rules: they cannot be waived or re-graded).
POLICY_INVALID = "POL001"
WAIVER_EXPIRED = "POL002"
WAIVER_UNUSED = "POL003"
WAIVER_TOO_LONG = "POL004"
POLICY_CODES: dict[str, str] = {
    POLICY_INVALID: "The org policy file (or one waiver in it) is malformed; the policy fails closed.",
    WAIVER_EXPIRED: "A waiver has expired: the finding it covered is reported again.",
    WAIVER_UNUSED: "A waiver matched no finding of its model: remove it, or fix its rule, environment or path.",
    WAIVER_TOO_LONG: f"A waiver expires more than {MAX_WAIVER_DAYS} days ahead: it is not applied.",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Approvals(_Model):
    levels: list[Annotated[str, StringConstraints(pattern=r"^(experimental|staging|production)$")]] = ["production"]
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


class Waiver(_Model):
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


@dataclass(frozen=True)
class LoadedPolicy:
    """The policy in force for one spec, with where it came from (for positions and relative paths)."""

    policy: OrgPolicy
    waivers: tuple[tuple[int, Waiver], ...] = ()  # (index in the file, waiver) of the well-formed ones
    unit: Unit | None = None  # the policy file, when there is one
    diagnostics: tuple[Diagnostic, ...] = ()
    usable: bool = True  # False when the file is malformed: no rule runs, the run fails

    @property
    def folder(self) -> Path | None:
        return Path(self.unit.source.path).parent if self.unit else None


DEFAULT = LoadedPolicy(OrgPolicy())


def find_policy(spec_path: str) -> Path | None:
    """The first `.mlopsc/policy.yaml` above the spec's folder, stopping at a `.git` folder's parent."""
    folder = Path(spec_path).resolve().parent
    for candidate in (folder, *folder.parents):
        path = candidate / POLICY_FILE
        if path.is_file():
            return path
        if (candidate / ".git").exists():
            return None
    return None


def load_policy(path: Path | None, known_rules: frozenset[str], today: date) -> LoadedPolicy:
    """Read, check and return the policy at `path` (the default policy when None)."""
    if path is None:
        return DEFAULT
    from mlopsc.compiler.passes.parse import parse

    display = _display(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diag = Diagnostic(display, 0, 0, POLICY_INVALID, Severity.ERROR, f"cannot read the policy file: {exc.strerror}")
        return LoadedPolicy(OrgPolicy(), diagnostics=(diag,), usable=False)
    parsed = parse(display, raw)
    unit = parsed.unit
    if any(d.is_error for d in parsed.diagnostics):
        return LoadedPolicy(OrgPolicy(), unit=unit, diagnostics=_recode(parsed.diagnostics), usable=False)
    document = parsed.document
    try:
        policy = OrgPolicy.model_validate(document)
    except ValidationError as exc:
        return LoadedPolicy(OrgPolicy(), unit=unit, diagnostics=tuple(_errors(unit, exc, ())), usable=False)
    problems: list[Diagnostic] = []
    for rule_id in policy.severity:
        if rule_id not in known_rules:
            problems.append(_at(unit, ("severity", rule_id), f"unknown policy rule `{rule_id}`", at_key=True))
    waivers: list[tuple[int, Waiver]] = []
    for index, raw_waiver in enumerate(policy.waivers):
        base: Path_ = ("waivers", index)
        try:
            waiver = Waiver.model_validate(raw_waiver)
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
    return LoadedPolicy(policy, tuple(waivers), unit, tuple(problems), usable)


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
