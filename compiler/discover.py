"""Find spec files: a PATH is a file, or a folder searched for mlops.yaml / mlops.yml."""

from __future__ import annotations

import os
from pathlib import Path

SPEC_NAMES = ("mlops.yaml", "mlops.yml")
SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "golden"}


class DiscoveryError(Exception):
    pass


def discover(paths: tuple[str, ...], exclude: Path | None = None) -> list[Path]:
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            hits: list[Path] = []
            for root, dirs, files in os.walk(path):
                here = Path(root)
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if d not in SKIP_DIRS
                    and not d.startswith(".")
                    and (exclude is None or (here / d).resolve() != exclude.resolve())
                )
                hits.extend(here / f for f in sorted(files) if f in SPEC_NAMES)
            if not hits:
                raise DiscoveryError(f"no mlops.yaml or mlops.yml under {given}")
            found.extend(hits)
        else:
            raise DiscoveryError(f"{given}: no such file or folder")
    unique: dict[Path, Path] = {}
    for p in found:
        unique.setdefault(p.resolve(), p)
    return sorted(unique.values(), key=lambda p: p.as_posix())


def display(path: Path) -> str:
    """How a spec is named in diagnostics and headers: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
