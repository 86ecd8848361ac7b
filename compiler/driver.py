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
    until: str = "emit",
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
            raw = path.read_bytes()
        except OSError as exc:
            result.diagnostics.append(Diagnostic(name, 0, 0, "E001", Severity.ERROR, f"cannot read: {exc.strerror}"))
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


def _name_pos(ir: IR) -> tuple[int, int]:
    pos = ir.unit.positions.value(("metadata", "name"))
    return (pos.line, pos.col) if pos else (1, 1)
