"""Run the pipeline over every spec of a command and gather what it produced.

The click commands only fill arguments and call these functions; output formatting lives in
`report.py`. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlopsc.compiler.diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics
from mlopsc.compiler.discover import discover, display
from mlopsc.compiler.ir import Emitted, RenderedFile
from mlopsc.compiler.passes import IR, run
from mlopsc.compiler.passes.parse import MAX_BYTES, too_large
from mlopsc.compiler.source import SourceFile


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files: list[RenderedFile] = field(default_factory=list)
    units: list[IR] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return has_errors(self.diagnostics)


def compile_paths(
    paths: tuple[str, ...],
    options: object,
    until: str = "policy",
    exclude: Path | None = None,
    between: Callable[[str, IR], None] | None = None,
) -> RunResult:
    from mlopsc.compiler.ir import Options

    assert isinstance(options, Options)
    result = RunResult()
    owners: dict[str, str] = {}
    for path in discover(paths, exclude):
        name = display(path)
        try:
            raw = read_bounded(path)
        except OSError as exc:
            result.diagnostics.append(Diagnostic(name, 0, 0, "E001", Severity.ERROR, f"cannot read: {exc.strerror}"))
            continue
        except TooLarge as exc:
            result.diagnostics.append(too_large(name, exc.size))
            result.sources[name] = SourceFile.from_text(name, "", b"")
            continue
        ir = run(name, raw, options, until=until, between=between)
        result.units.append(ir)
        result.sources[name] = ir.unit.source
        result.diagnostics.extend(ir.diagnostics)
        if isinstance(ir, Emitted):
            model = ir.plans[0].model_name if ir.plans else None
            if model is not None and model in owners:
                result.diagnostics.append(
                    Diagnostic(
                        name,
                        *_name_pos(ir),
                        "E115",
                        Severity.ERROR,
                        f"model `{model}` is also defined by {owners[model]}: both would render into the same folders",
                        "give each model its own metadata.name",
                    )
                )
                continue
            if model is not None:
                owners[model] = name
            result.files.extend(ir.files)
    result.diagnostics = sort_diagnostics(result.diagnostics)
    return result


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_bounded(path: Path) -> bytes:
    """The file's bytes, read only when it is within the size limit: a 100 MB (or endless) file is
    refused after one stat (and one bounded read, should it grow in between), never read whole."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TooLarge(size)
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise TooLarge(max(size, len(raw)))
    return raw


def _name_pos(ir: IR) -> tuple[int, int]:
    pos = ir.unit.positions.value(("metadata", "name"))
    return (pos.line, pos.col) if pos else (1, 1)
