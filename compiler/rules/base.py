"""What a decision rule is: an id, words for the docs, and one method from spec to outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Finding, Json
from mlopsc.compiler.source import Path_
from mlopsc.compiler.spec.typed import Spec

DecisionKind = str  # "default" | "derived" | "assumption"


@dataclass(frozen=True)
class Outcome:
    """One value a rule decided; the pass turns inputs' paths into positions."""

    field: str
    value: Json
    reason: str
    inputs: tuple[tuple[Path_, Json], ...] = ()
    kind: DecisionKind = "derived"


@dataclass(frozen=True)
class RuleResult:
    outcomes: tuple[Outcome, ...] = ()
    findings: tuple[Finding, ...] = ()


class Rule(Protocol):
    id: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]  # the docs' text: what the rule decides and why

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult: ...


def error(rule: Rule, message: str, path: Path_, hint: str = "") -> Finding:
    return Finding(rule.id, Severity.ERROR, message, path, hint)


def warning(rule: Rule, message: str, path: Path_, hint: str = "") -> Finding:
    return Finding(rule.id, Severity.WARNING, message, path, hint)


def note(rule: Rule, message: str, path: Path_, hint: str = "") -> Finding:
    return Finding(rule.id, Severity.NOTE, message, path, hint)
