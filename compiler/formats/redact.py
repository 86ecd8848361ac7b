"""Mask secret values in the source lines that text output quotes under a finding.

A secret finding never shows the value in its message; the text format also prints the source line
with a caret, so the span of the value (the finding's columns, to the end of the line when the end is
unknown) is replaced by `*` in the copy of the source used for printing. The file is not touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.source import SourceFile


def is_secret(d: Diagnostic) -> bool:
    return d.fingerprint.startswith("sha256:")


def mask_secrets(diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile]) -> dict[str, SourceFile]:
    spans: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if is_secret(d) and d.line and d.file in sources:
            spans.setdefault(d.file, []).append(d)
    out = dict(sources)
    for name, found in spans.items():
        lines = sources[name].text.splitlines(keepends=True)
        for d in found:
            if d.line > len(lines):
                continue
            line = lines[d.line - 1]
            body = line.rstrip("\r\n")
            start = max(d.col - 1, 0)
            end = d.end_col - 1 if d.end_col > d.col else len(body)
            lines[d.line - 1] = body[:start] + "*" * max(end - start, 0) + body[end:] + line[len(body) :]
        out[name] = SourceFile.from_text(name, "".join(lines))
    return out
