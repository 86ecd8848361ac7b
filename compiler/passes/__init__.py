"""The pipeline: one spec file through typed passes, each (ir, options) -> ir, stopping at the first
pass that reports an error. `mlopsc explain --print-ir` prints the IR between passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlopsc.compiler.diagnostics import has_errors
from mlopsc.compiler.ir import Decided, Emitted, Options, Parsed, Resolved, Validated
from mlopsc.compiler.passes.decide import decide
from mlopsc.compiler.passes.emit import emit
from mlopsc.compiler.passes.parse import parse
from mlopsc.compiler.passes.policy import policy
from mlopsc.compiler.passes.resolve import resolve
from mlopsc.compiler.passes.validate import validate

IR = Parsed | Validated | Decided | Resolved | Emitted

PIPELINE: tuple[tuple[str, Callable[[Any, Options], IR]], ...] = (
    ("validate", validate),
    ("decide", decide),
    ("resolve", resolve),
    ("emit", emit),
    ("policy", policy),
)


def run(
    path: str,
    raw: bytes,
    options: Options,
    until: str = "policy",
    between: Callable[[str, IR], None] | None = None,
) -> IR:
    """Parse, then run the passes up to and including ``until``; stop early on errors."""
    ir: IR = parse(path, raw)
    if between:
        between("parse", ir)
    if has_errors(ir.diagnostics):
        return ir
    for name, pass_ in PIPELINE:
        ir = pass_(ir, options)
        if between:
            between(name, ir)
        if has_errors(ir.diagnostics) or name == until:
            return ir
    return ir
