"""The org policy file `.mlopsc/policy.yaml`: severities, who approves what, and waivers.

One org policy per run: the repository root's `.mlopsc/policy.yaml` (see :func:`repository_root`), or
`--policy FILE`. A `.mlopsc/policy.yaml` in a folder between a spec and the repository root is an error
(POL005), never read: a nested file would let whoever owns a sub-folder re-grade findings and turn
approvals off for the models under it, out of sight of the policy's CODEOWNERS. It is read
and checked by `policyfile.py` (pydantic, imported only when there is a file): a malformed file is a
positioned error, and the policy fails closed. This module holds the settings the rules read.

Without a file the default policy applies (documented in docs/policies.md): every rule at its default
severity; environments at level `production` need an approval bound to the deployment subject
(policies/subject.py), from any role, by anyone but the model's owner, not expired when it has an
expiry; no signatures; no waivers.

Waivers are validated one by one, so a malformed waiver is an error at its own position (and is not
applied) while the rest of the file still works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlopsc.compiler.diagnostics import Diagnostic, Severity
    from mlopsc.compiler.ir import Unit

POLICY_FILE = Path(".mlopsc") / "policy.yaml"
MAX_WAIVER_DAYS = 90
RULE_ID = r"^[A-Z]{3}[0-9]{3}$"

# Diagnostic codes of the policy file itself (not rules: they cannot be waived or re-graded).
POLICY_INVALID = "POL001"
WAIVER_EXPIRED = "POL002"
WAIVER_UNUSED = "POL003"
WAIVER_TOO_LONG = "POL004"
POLICY_NESTED = "POL005"
POLICY_CODES: dict[str, str] = {
    POLICY_INVALID: "The org policy file (or one waiver in it) is malformed; the policy fails closed.",
    WAIVER_EXPIRED: "A waiver has expired: the finding it covered is reported again.",
    WAIVER_UNUSED: "A waiver matched no finding of its model: remove it, or fix its rule, environment or path.",
    WAIVER_TOO_LONG: f"A waiver expires more than {MAX_WAIVER_DAYS} days ahead: it is not applied.",
    POLICY_NESTED: "A `.mlopsc/policy.yaml` below the repository root: not read (one org policy per run); "
    "move its settings to the root's policy file.",
}


@dataclass(frozen=True)
class ApprovalRules:
    """`approvals:` of the policy file (field docs: policyfile.Approvals)."""

    levels: list[str] = field(default_factory=lambda: ["production"])
    roles: list[str] = field(default_factory=list)
    approvers: dict[str, list[str]] = field(default_factory=dict)
    max_age_days: int | None = None
    require_signatures: bool = False
    allowed_signers: str | None = None
    require_expires: bool = False
    allow_self_approval: bool = False


DEFAULT_APPROVALS = ApprovalRules()


@dataclass(frozen=True)
class PolicySettings:
    """What the rules read of the policy in force: per-rule severities and the approval rules."""

    severity: dict[str, Severity] = field(default_factory=dict)
    approvals: ApprovalRules = DEFAULT_APPROVALS


@dataclass(frozen=True)
class Waiver:
    """One well-formed waiver of the policy file (field docs: policyfile.WaiverModel)."""

    rule: str
    model: str
    environment: str
    path: str | None
    reason: str
    owner: str
    ticket: str
    expires: date


@dataclass(frozen=True)
class LoadedPolicy:
    """The policy in force for one spec, with where it came from (for positions and relative paths)."""

    policy: PolicySettings
    waivers: tuple[tuple[int, Waiver], ...] = ()  # (index in the file, waiver) of the well-formed ones
    unit: Unit | None = None  # the policy file, when there is one
    diagnostics: tuple[Diagnostic, ...] = ()
    usable: bool = True  # False when the file is malformed: no rule runs, the run fails

    @property
    def folder(self) -> Path | None:
        return Path(self.unit.source.path).parent if self.unit else None


DEFAULT = LoadedPolicy(PolicySettings())


def repository_root(spec_path: str) -> Path:
    """The folder whose `.mlopsc/policy.yaml` is the org policy for a spec: the git top-level of the spec
    (the nearest folder at or above the spec's folder that holds `.git`, a folder or a worktree's file),
    else the current working directory (where mlopsc runs: the discovery root)."""
    folder = Path(spec_path).resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return Path.cwd().resolve()


def find_policy(spec_path: str) -> Path | None:
    """The repository root's `.mlopsc/policy.yaml`, when it exists."""
    path = repository_root(spec_path) / POLICY_FILE
    return path if path.is_file() else None


def nested_policies(spec_path: str) -> list[Path]:
    """Every `.mlopsc/policy.yaml` in a folder from the spec's own up to (not including) the repository
    root: each is an error, since only the root's is read. None when the spec is outside the root."""
    root = repository_root(spec_path)
    folder = Path(spec_path).resolve().parent
    if folder != root and root not in folder.parents:
        return []
    found: list[Path] = []
    while folder != root:
        if (folder / POLICY_FILE).is_file():
            found.append(folder / POLICY_FILE)
        folder = folder.parent
    return found


def nested_policy_errors(spec_path: str) -> tuple[Diagnostic, ...]:
    from mlopsc.compiler.diagnostics import Diagnostic, Severity
    from mlopsc.compiler.discover import display

    root = repository_root(spec_path) / POLICY_FILE
    return tuple(
        Diagnostic(
            display(path),
            0,
            0,
            POLICY_NESTED,
            Severity.ERROR,
            f"a nested org policy file is not read: one org policy per run, the repository root's "
            f"({display(root)}) or --policy",
            "move its settings into the repository root's .mlopsc/policy.yaml (keep it under CODEOWNERS) and "
            "delete this file",
        )
        for path in nested_policies(spec_path)
    )


def load_policy(path: Path | None, known_rules: frozenset[str], today: date) -> LoadedPolicy:
    """Read, check and return the policy at `path` (the default policy when None)."""
    if path is None:
        return DEFAULT
    from mlopsc.policies.policyfile import load

    return load(path, known_rules, today)
