"""Find spec files: a PATH is a file, or a folder searched for mlops.yaml / mlops.yml.

A folder search skips, and says so:

- folders whose name starts with `.` (`.git`, `.venv`, `.tox`...) and the tool folders `node_modules`,
  `venv` and `__pycache__` (`skipped_by_default`): never a home for specs, and documented in `--help`;
- the --out folder of the command (rendered files are not specs);
- every folder matching an `--exclude` pattern (`fnmatch` on the folder's name or on its path relative
  to the PATH searched, e.g. `--exclude golden` or `--exclude 'tests/*'`): listed in `Found.excluded`,
  which the commands report, so an exclusion is never silent.

A spec found in a folder that is a symlink resolving outside that folder is refused unread
(`Found.refused`): a repository must not make mlopsc read `/etc/...` or another checkout. A PATH given by
name is read whatever it is; the driver refuses anything but a regular file (a FIFO or a device named
mlops.yaml) before opening it for reading.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SPEC_NAMES = ("mlops.yaml", "mlops.yml")
TOOL_DIRS = frozenset({"node_modules", "venv", "__pycache__"})


class DiscoveryError(Exception):
    pass


@dataclass(frozen=True)
class Refused:
    path: Path
    reason: str


@dataclass
class Found:
    specs: list[Path] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # folders skipped by --exclude, as the user would name them


def skipped_by_default(name: str) -> bool:
    """Folders never searched: hidden ones (`.git`, `.venv`...) and the tool folders of TOOL_DIRS."""
    return name.startswith(".") or name in TOOL_DIRS


def excluded_by(rel: str, patterns: tuple[str, ...]) -> str | None:
    """The first `--exclude` pattern that matches a folder (its posix path relative to the PATH searched)."""
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        bare = pattern.strip("/")
        if fnmatch.fnmatchcase(name, bare) or fnmatch.fnmatchcase(rel, bare):
            return pattern
    return None


def find(paths: tuple[str, ...], exclude: Path | None = None, patterns: tuple[str, ...] = ()) -> Found:
    """Every spec under `paths` (sorted, each once), what was refused, and what `patterns` excluded."""
    found = Found()
    hits_all: list[Path] = []
    skip = exclude.resolve() if exclude is not None else None
    for given in paths:
        path = Path(given)
        if path.is_dir():
            hits = _search(path, skip, patterns, found)
            if not hits and not any(r.path.is_relative_to(path) for r in found.refused):
                raise DiscoveryError(f"no mlops.yaml or mlops.yml under {given}" + _excluded_note(found))
            hits_all.extend(hits)
        elif path.exists() or path.is_symlink():
            hits_all.append(path)  # a file, a FIFO, a device...: the driver reads only regular files
        else:
            raise DiscoveryError(f"{given}: no such file or folder")
    unique: dict[Path, Path] = {}
    for p in hits_all:
        unique.setdefault(p.resolve(), p)
    found.specs = sorted(unique.values(), key=lambda p: p.as_posix())
    return found


def discover(paths: tuple[str, ...], exclude: Path | None = None, patterns: tuple[str, ...] = ()) -> list[Path]:
    """The specs `find` finds (callers that need neither the refusals nor the exclusions)."""
    return find(paths, exclude, patterns).specs


def _search(top: Path, skip: Path | None, patterns: tuple[str, ...], found: Found) -> list[Path]:
    hits: list[Path] = []
    real_top = top.resolve()
    for root, dirs, files in os.walk(top):
        here = Path(root)
        kept = []
        for d in sorted(dirs):
            if skipped_by_default(d) or (skip is not None and (here / d).resolve() == skip):
                continue
            rel = (here / d).relative_to(top).as_posix()
            if excluded_by(rel, patterns) is not None:
                found.excluded.append((here / d).as_posix() + "/")
                continue
            kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            if name not in SPEC_NAMES:
                continue
            spec = here / name
            if spec.is_symlink():
                target = spec.resolve()
                if not target.is_relative_to(real_top):
                    found.refused.append(
                        Refused(spec, f"a symlink to {target}, outside the folder searched ({top.as_posix()})")
                    )
                    continue
            hits.append(spec)
    return hits


def _excluded_note(found: Found) -> str:
    return f" (not searched, as --exclude asks: {', '.join(found.excluded)})" if found.excluded else ""


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kinds: tuple[tuple[Callable[[int], bool], str], ...] = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    )
    return next((word for test, word in kinds if test(mode)), "not a regular file")


def not_a_spec_file(path: Path) -> str | None:
    """Why `path` cannot be read as a spec without blocking (a FIFO, a device...), or None for a regular file.
    Commands that edit one named spec (`rollout`, `approve`) check it before reading."""
    try:
        kind = kind_of(path.stat().st_mode)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    return f"{path} is {kind}, not a regular file: not read" if kind is not None else None


def display(path: Path) -> str:
    """How a spec is named in diagnostics and headers: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
