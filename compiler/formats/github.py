"""GitHub Actions workflow commands: one annotation per diagnostic, on the file and line it is about.

`::error file=F,line=L,col=C,endColumn=E,title=T::message`. Escaping follows the runner's rules
(actions/toolkit `command.ts`): in the message `%`, `\r`, `\n` become `%25`, `%0D`, `%0A`; in a property
value `:` and `,` are escaped too (`%3A`, `%2C`). Errors come first, then warnings, then notices (notes
and waived findings, marked as waived with their justification). GitHub shows at most 10 annotations
of each level per step: past 10, the first 9 are annotated, the 10th says how many more there are, and
every diagnostic is still printed as a plain log line, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlopsc.compiler.diagnostics import Diagnostic, Severity, summary_line

MAX_PER_LEVEL = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
    return f"::{level}{' ' + props if props else ''}::{escape_data(message).replace('##[', '##%5B')}"


def _level(d: Diagnostic) -> str:
    if d.suppressed or d.severity is Severity.NOTE:
        return "notice"
    return "error" if d.severity is Severity.ERROR else "warning"


def _annotation(d: Diagnostic) -> str:
    from mlopsc.compiler.formats.catalogue import code_info

    title = f"{d.code} {code_info(d.code).title}"
    message = d.text
    if d.hint:
        message += f"\nhint: {d.hint}"
    if d.suppressed:
        title += " (waived)"
        message += f"\nwaived: {d.suppressed}"
    props: dict[str, str | int] = {"file": d.file}
    if d.line:
        props["line"] = d.line
        props["col"] = max(d.col, 1)
        if d.end_col > d.col:
            props["endColumn"] = d.end_col
    props["title"] = title
    return command(_level(d), message, **props)


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    lines: list[str] = []
    for level in ("error", "warning", "notice"):
        group = [d for d in diagnostics if _level(d) == level]
        shown = group if len(group) <= MAX_PER_LEVEL else group[: MAX_PER_LEVEL - 1]
        lines.extend(_annotation(d) for d in shown)
        hidden = len(group) - len(shown)
        if hidden:
            noun = {"error": "errors", "warning": "warnings", "notice": "notices"}[level]
            lines.append(command(level, f"{hidden} more {noun} not annotated (GitHub shows 10 per step): see the log"))
    for d in diagnostics:
        where = f"{d.file}:{d.line}:{d.col}" if d.line else d.file
        waived = " (waived)" if d.suppressed else ""
        lines.append(log_line(f"{where}: {d.severity.value}[{d.code}]{waived}: {d.text}"))
    lines.append(summary_line(diagnostics))
    return "\n".join(lines) + "\n"


def log_line(text: str) -> str:
    """A plain log line that the runner cannot read as a workflow command.

    The runner reads a line as a command when, leading blanks trimmed, it starts with `::`
    (actions/runner `src/Runner.Common/ActionCommand.cs`, `TryParseV2`), or when it holds `##[` (the
    v1 form, `TryParse`, looked for anywhere in the line). So the text is escaped as command data (`%`,
    CR and LF: it stays one line, and `\n::error::...` or `::stop-commands::` in a value cannot start a
    line), a leading `::` gets its colons escaped as in a property value (`%3A`), and `##[` becomes
    `##%5B` (the runner's own escape of `]`/`[`-style tokens in v1 properties).
    """
    line = escape_data(text).replace("##[", "##%5B")
    stripped = line.lstrip()
    if stripped.startswith("::"):
        line = line[: len(line) - len(stripped)] + "%3A%3A" + stripped[2:]
    return line
