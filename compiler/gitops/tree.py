"""Which files under a rendered tree mlopsc generated: the only files `check --fix` may touch.

A YAML, Markdown or shell file is generated when its first line (after a `#!` line for scripts)
carries `serialize.GENERATED_MARK`; the `GENERATED.txt` sidecar is generated when its first line does;
a JSON file (which cannot carry a comment) is generated when the generated sidecar of its folder lists
it. Everything else (a README someone added, a hand-written overlay) is never reported or removed.
Symlinks are never followed, and the writer's staging folders (`.mlopsc-*`) are skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlopsc.compiler.serialize import GENERATED_MARK

SIDECAR = "GENERATED.txt"
HEAD_BYTES = 1024  # the header is on the first or second line: never read whole files to classify them


def has_header(head: str, name: str) -> bool:
    """True when `head` (the start of a file named `name`) carries mlopsc's generated header."""
    lines = head.split("\n", 2)
    if GENERATED_MARK in lines[0]:
        return True
    return lines[0].startswith("#!") and len(lines) > 1 and GENERATED_MARK in lines[1]


def sidecar_names(text: str) -> frozenset[str]:
    """The file names a generated `GENERATED.txt` lists (lines `  <name>  <sha256>`)."""
    names = set()
    for line in text.splitlines():
        if line.startswith("  ") and len(line.split()) == 2:
            names.add(line.split()[0])
    return frozenset(names)


def _head(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES).decode("utf-8", errors="replace")


def is_generated(path: Path) -> bool:
    """Whether mlopsc generated this one file (see the module docstring)."""
    if path.is_symlink() or not path.is_file():
        return False
    if path.suffix == ".json":
        sidecar = path.parent / SIDECAR
        if sidecar.is_symlink() or not sidecar.is_file() or not has_header(_head(sidecar), SIDECAR):
            return False
        return path.name in sidecar_names(sidecar.read_text(encoding="utf-8", errors="replace"))
    return has_header(_head(path), path.name)


@dataclass(frozen=True)
class Scope:
    """The part of a tree one render answers for: `--env` and `--target` narrow it."""

    environments: frozenset[str] = frozenset()  # empty: every environment
    targets: frozenset[str] = frozenset()  # empty: every platform

    def covers(self, rel: str) -> bool:
        parts = rel.split("/")
        if self.environments and parts[0] not in self.environments:
            return False
        if not self.targets:
            return True
        if len(parts) == 2:  # <env>/kustomization.yaml indexes the KServe folders
            return "kserve" in self.targets
        # the registry folder (compiler/registry.py) is rendered whatever platforms --target picks
        return len(parts) >= 3 and (parts[2] in self.targets or parts[2] == "registry")


def generated_files(out: Path, scope: Scope | None = None) -> dict[str, Path]:
    """Every generated file under `out` within `scope`, by posix path relative to `out`."""
    found: dict[str, Path] = {}
    if not out.is_dir():
        return found
    for root, dirs, files in os.walk(out, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(root) / d).is_symlink())
        for name in sorted(files):
            path = Path(root) / name
            rel = path.relative_to(out).as_posix()
            if name.startswith(".") or (scope is not None and not scope.covers(rel)):
                continue
            if is_generated(path):
                found[rel] = path
    return found


def foreign_files(folder: Path) -> list[Path]:
    """Files under `folder` that mlopsc did not generate (what swapping the folder in whole would lose).

    Sub-folders are searched, not judged as entries: mlopsc itself renders some (`azureml/score/`), and a
    folder holding only generated files is mlopsc's. Symlinks and special files are never followed: each
    is foreign.
    """
    if not folder.is_dir() or folder.is_symlink():
        return []
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            found.extend(foreign_files(entry))
        elif not is_generated(entry):
            found.append(entry)
    return found
