"""What a policy rule is: a stable id, words for the docs, a default severity, and one check method.

Three kinds of rule, told apart by the one method they define:

* ``check_document(document, ctx)``: the raw spec document as written (every environment block
  included, whatever ``--env`` selected), once per spec file. Paths are paths into that document.
  Used where a finding must be reported once, at the place the text is (secrets in the spec).
* ``check(plan, ctx)``: one environment's effective spec, once per environment. Paths are paths into
  the effective spec; the core maps them back to the override that wrote the value.
* ``check_file(file, ctx)``: one rendered file. Paths are paths inside the rendered document; the
  engine finds their line and column in the rendered text.

Rules never deal with positions, severities or waivers: the engine positions each finding, applies
the org policy's severity override and its waivers. A finding's message never contains a secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan, RenderedFile
from mlopsc.compiler.source import Path_

if TYPE_CHECKING:
    from mlopsc.policies.context import PolicyContext

DOCS_URL = "https://github.com/mlopsc/mlopsc/blob/main/docs/policies.md"


@dataclass(frozen=True)
class Finding:
    """A policy problem in the spec, located by a path (into the raw document or the effective spec)."""

    message: str
    path: Path_ = ()
    hint: str = ""
    fingerprint: str = ""  # set by secret rules: sha256 prefix of the secret, never the value
    at_key: bool = False  # point at the mapping key rather than its value


@dataclass(frozen=True)
class FileFinding:
    """A policy problem in a rendered file, located by a path inside the rendered document."""

    message: str
    path: Path_ = ()
    hint: str = ""
    fingerprint: str = ""
    line: int = 0  # when the rule knows the line itself (text files); else found from `path`


class RuleInfo:
    """Metadata every rule carries; `help_uri` is derived from the id so it cannot drift."""

    id: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    default_severity: ClassVar[Severity]
    security: ClassVar[bool]

    @property
    def help_uri(self) -> str:
        return help_uri(self.id)


def help_uri(rule_id: str) -> str:
    """The docs anchor of a rule: `## SEC001: ...` headings render as `#sec001-...`; we use explicit ids."""
    return f"{DOCS_URL}#{rule_id.lower()}"


class PolicyRule(Protocol):
    id: ClassVar[str]  # stable: SEC001, APR001, PRD001, RND001...
    title: ClassVar[str]
    description: ClassVar[str]  # long, for docs/policies.md
    default_severity: ClassVar[Severity]
    security: ClassVar[bool]  # SARIF `security-severity` is set on security rules

    @property
    def help_uri(self) -> str: ...


@runtime_checkable
class DocumentRule(PolicyRule, Protocol):
    def check_document(self, document: Mapping[str, object], ctx: PolicyContext) -> Iterable[Finding]: ...


@runtime_checkable
class SpecRule(PolicyRule, Protocol):
    def check(self, plan: Plan, ctx: PolicyContext) -> Iterable[Finding]: ...


@runtime_checkable
class FileRule(PolicyRule, Protocol):
    def check_file(self, file: RenderedFile, ctx: PolicyContext) -> Iterable[FileFinding]: ...
