"""parse: bytes of a spec file -> plain document + the position of every node."""

from __future__ import annotations

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import Finding, Parsed, Unit
from mlopsc.compiler.source import Pos, PositionMap, SourceFile
from mlopsc.compiler.yamlnodes import YamlProblem, compose, to_python

MAX_BYTES = 1_000_000  # a spec is a few KB; 1 MB is far past any real one

_EMPTY = PositionMap(keys={}, values={})


def parse(path: str, raw: bytes) -> Parsed:
    """Decode and compose one spec; every problem is a positioned diagnostic, never an exception."""
    if len(raw) > MAX_BYTES:
        return Parsed(Unit(SourceFile.from_text(path, "", b""), _EMPTY), {}, (too_large(path, len(raw)),))
    if raw.startswith(b"\xef\xbb\xbf"):
        return _fail(
            SourceFile.from_text(path, "", raw),
            "E002",
            "the file starts with a UTF-8 byte order mark",
            Pos(1, 1),
            "save it as UTF-8 without BOM",
        )
    if b"\x00" in raw:
        return _fail(
            SourceFile.from_text(path, "", raw),
            "E002",
            "the file is binary (it contains NUL bytes)",
            Pos(0, 0),
            "mlops.yaml is a UTF-8 text file",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return _fail(
            SourceFile.from_text(path, "", raw),
            "E002",
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            Pos(line, col),
            "save it as UTF-8",
        )
    source = SourceFile.from_text(path, text, raw)
    try:
        node = compose(text)
        if node is None:
            return _fail(
                source, "E009", "the file is empty", Pos(0, 0), "run `mlopsc init` for a commented starter spec"
            )
        document, positions = to_python(node)
    except YamlProblem as problem:
        return _fail(source, problem.code, problem.message, problem.pos, problem.hint)
    unit = Unit(source, positions, document if isinstance(document, dict) else None)
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else "a single value"
        return Parsed(
            unit,
            {},
            (
                unit.diagnostic(
                    Finding(
                        "E005",
                        Severity.ERROR,
                        f"the document is {kind}; mlops.yaml is a mapping of sections",
                        (),
                        "start with `apiVersion: mlopsc/v1` and `kind: ModelDeployment`",
                    )
                ),
            ),
        )
    return Parsed(unit, document)


def too_large(path: str, size: int) -> Diagnostic:
    """E010: the driver reports it from a stat, before reading the file."""
    return Diagnostic(
        path,
        0,
        0,
        "E010",
        Severity.ERROR,
        f"the file is {size:,} bytes; a spec may be at most {MAX_BYTES:,}",
        "is this the right file? mlops.yaml describes one model in a few KB",
    )


def _fail(source: SourceFile, code: str, message: str, pos: Pos, hint: str = "") -> Parsed:
    diagnostic = Diagnostic(source.path, pos.line, pos.col, code, Severity.ERROR, message, hint)
    return Parsed(Unit(source, _EMPTY), {}, (diagnostic,))
