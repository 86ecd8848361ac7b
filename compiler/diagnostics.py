"""Diagnostics: one frozen record per finding, collected by the passes and reported once.

A finding is created with a *path* into the spec (``("serving", "scale", "rps")``); the
``locate`` step of :mod:`mlopsc.compiler.source` turns that path into a line and column
only when the diagnostic is made, so rules never deal with positions themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from operator import attrgetter

from mlopsc.compiler.source import SourceFile


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


# Reserved: a rule, target or policy that crashed is reported with this code, never a traceback.
INTERNAL_ERROR = "E900"


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int  # 1-based; 0 when the finding has no position (a whole-file problem)
    col: int  # 1-based
    code: str
    severity: Severity
    message: str
    hint: str = ""
    path: tuple[str | int, ...] = ()
    end_col: int = 0  # 1-based, exclusive; 0 when unknown
    suppressed: str = field(default="", compare=False)  # waiver justification, when waived
    fingerprint: str = field(default="", compare=False)  # policy findings: stable id (secrets: sha256 of the secret)
    environments: tuple[str, ...] = ()  # the environments a base-document finding applies to

    @property
    def text(self) -> str:
        """The message as printed: with the environments it applies to, when the spec has several."""
        if not self.environments:
            return self.message
        names = ", ".join(f"`{e}`" for e in self.environments)
        return f"{self.message} (environment{'s' if len(self.environments) > 1 else ''} {names})"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR and not self.suppressed

    def dotted_path(self) -> str:
        return dotted(self.path)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.text,
            "hint": self.hint,
            "path": self.dotted_path(),
        }
        if self.environments:
            data["environments"] = list(self.environments)
        if self.suppressed:
            data["suppressed"] = self.suppressed
        if self.fingerprint:
            data["fingerprint"] = self.fingerprint
        return data


def dotted(path: Sequence[str | int]) -> str:
    """``("a", 0, "b")`` -> ``a[0].b``: the form users see in messages and JSON."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Stable order: by file, position, then code; duplicates removed, and one finding in the base
    document that fails in several environments reported once, naming them."""
    merged: dict[Diagnostic, list[str]] = {}
    for d in diagnostics:
        key = replace(d, environments=()) if d.environments else d
        names = merged.setdefault(key, [])
        names.extend(e for e in d.environments if e not in names)
    out = [replace(d, environments=tuple(sorted(envs))) if envs else d for d, envs in merged.items()]
    out.sort(key=_ORDER)  # the dataclass order, with each item's key built once (a run may hold 10^5)
    return out


_ORDER = attrgetter(*(f.name for f in fields(Diagnostic) if f.compare))


def printable(text: str) -> str:
    """Control and format characters from a spec (ESC, newline, bidi overrides) shown escaped, so a
    hostile value cannot forge lines or colours in a terminal or a CI log."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, SourceFile], color: bool = False) -> str:
    """gcc-style: ``path:line:col: error[CODE]: message``, the source line, a caret, the hint."""
    lines: list[str] = []
    for d in diagnostics:
        where = f"{d.file}:{d.line}:{d.col}" if d.line else d.file
        label = f"{d.severity.value}[{d.code}]"
        if d.suppressed:
            label += " (waived)"
        if color:
            tint = {"error": "31", "warning": "33", "note": "36"}[d.severity.value]
            label = f"\x1b[1;{tint}m{label}\x1b[0m"
        lines.append(f"{where}: {label}: {printable(d.text)}")
        source = sources.get(d.file)
        if source is not None and d.line:
            text = source.line_text(d.line)
            if text is not None:
                gutter = f"{d.line:>5} | "
                lines.append(gutter + printable(text))
                width = max(1, (d.end_col - d.col) if d.end_col > d.col else 1)
                lines.append(" " * (len(gutter) - 2) + "| " + " " * (d.col - 1) + "^" + "~" * (width - 1))
        if d.hint:
            lines.append(f"  = hint: {printable(d.hint)}")
        if d.suppressed:
            lines.append(f"  = waived: {d.suppressed}")
    return "\n".join(lines)


def summary_line(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING and not d.suppressed)
    waived = sum(1 for d in diagnostics if d.suppressed)
    parts = [f"{errors} error{'s' if errors != 1 else ''}", f"{warnings} warning{'s' if warnings != 1 else ''}"]
    if waived:
        parts.append(f"{waived} waived")
    return ", ".join(parts)


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diagnostics], indent=2, sort_keys=True) + "\n"
