"""Render specs in memory: the files `mlopsc compile` would write, and nothing more.

The environment indexes (`<env>/kustomization.yaml`) are computed from this render only, never from
what is already on disk, so the result depends on the specs alone: the PATHs given must cover every
spec rendered into the tree being compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlopsc.compiler.driver import RunResult, compile_paths
from mlopsc.compiler.ir import Options, RenderedFile
from mlopsc.compiler.writer import environment_indexes


@dataclass(frozen=True)
class Rendering:
    """A compile run and, when it was clean, every file it renders (platform files plus indexes)."""

    result: RunResult
    files: tuple[RenderedFile, ...]

    @property
    def failed(self) -> bool:
        return self.result.failed


def render(
    paths: tuple[str, ...],
    options: Options,
    exclude: Path | None = None,
    jobs: int = 1,
    bodies: bool = True,
    units: bool = True,
) -> Rendering:
    """Compile `paths` in memory; `files` is empty when the specs have errors. `jobs`, `bodies` and
    `units` as for `compile_paths` (specs compiled in worker processes leave `result.units` empty: read `plans`)."""
    result = compile_paths(paths, options, exclude=exclude, jobs=jobs, bodies=bodies, units=units)
    if result.failed:
        return Rendering(result, ())
    files = [*result.files, *environment_indexes(result.files, None)]
    return Rendering(result, tuple(sorted(files, key=lambda f: f.path)))
