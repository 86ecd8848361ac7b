"""Write a rendered tree under --out: only after a clean compile, all of it or nothing.

A run is atomic as a whole, not folder by folder. Under an exclusive lock (a `flock` on the folder
that holds --out, opened read-only: no lock file is created, so nothing is left in the user's tree, not
even after a `kill -9`; a second compile into the same folder, or into a sibling of it, fails at once
with a clear message instead of waiting), the writer

1. recovers from a run that was killed (see below);
2. stages the complete next state of --out in `.<out>.mlopsc-new` beside it: every file this run
   renders, the environment indexes (recomputed from the staged tree, under the lock), and every
   other entry already under --out carried over as a hard link (a copy where linking fails) or, for
   a symlink, as the same symlink (never followed), except the files the caller removes (`check
   --fix`'s orphans: so the indexes never list a removed model). Folders `<env>/<model>/<platform>/`
   this run renders are replaced whole, so a file a platform no longer produces disappears;
3. swaps the staged tree and --out in one step: Linux's `renameat2(RENAME_EXCHANGE)` (through
   ctypes) exchanges the two names atomically, so a reader or a `kill -9` at any moment sees the
   old tree or the new one; then the old tree (now under the staging name) is deleted.

Where `renameat2` does not exist or the file system refuses the exchange (macOS, Windows, NFS), the
swap is two renames (`--out` -> `.<out>.mlopsc-old`, staged -> `--out`). A kill between them leaves
--out missing for a moment; the next run's recovery finishes the swap before doing anything else.
Recovery reads only the names beside --out, so it needs no journal:

| found beside --out          | meaning                                            | recovery                      |
|-----------------------------|----------------------------------------------------|-------------------------------|
| `-new` only                 | killed while staging, or after an exchange (then   | delete `-new`                 |
|                             | `-new` holds the old tree)                         |                               |
| `-old` and `-new`, no --out | killed between the two renames (staging complete)  | `-new` -> --out, delete `-old`|
| `-old` and --out            | killed before deleting the old tree                | delete `-old`                 |
| `-old` only, no --out       | cannot happen; treated as a roll back              | `-old` -> --out               |

The unit of safety is the process: a `kill -9` cannot leave a mix. Files are not fsync'ed one by
one (that costs seconds on a 1,000-spec tree), so a power cut may lose the last run's contents.

--out must be a folder of its own: the writer refuses (`refuse_unswappable`, which the commands call
before compiling, so it is a usage error) when it is the working folder or one of its parents
(swapping it would pull the folder from under the shell), when it is a mount point (a mount point
cannot be renamed), and when any folder under it is on another file system (a mount point inside
--out: deleting the old tree would delete across it).

Test hook: when `MLOPSC_TEST_PAUSE_AT` names a step (`staging`, `staged`, `swapped`, `moved-old`),
the writer prints `mlopsc-test-pause <step>` to stderr and sleeps there, so a test can SIGKILL it at
that exact point. Nothing else reads the variable.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import stat
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from mlopsc.compiler import __version__
from mlopsc.compiler.ir import Json, RenderedFile
from mlopsc.compiler.serialize import GENERATED_MARK, dump_yaml

PAUSE_VARIABLE = "MLOPSC_TEST_PAUSE_AT"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class WriteError(Exception):
    pass


class ExchangeUnsupported(Exception):
    """The platform or the file system cannot exchange two names atomically."""


def environment_indexes(files: Iterable[RenderedFile], out: Path | None) -> list[RenderedFile]:
    """`<env>/kustomization.yaml` listing every KServe folder of that environment (and only those).

    Folders rendered by earlier runs into the same --out (other models) are kept in the list when
    their kustomization.yaml carries mlopsc's header.
    """
    folders: dict[str, set[str]] = defaultdict(set)
    for f in files:
        if f.platform == "kserve" and f.path.endswith("/kustomization.yaml") and f.path.count("/") == 3:
            env, model = f.path.split("/")[:2]
            folders[env].add(f"{model}/kserve")
    if out is not None and out.is_dir():
        for env in list(folders):
            for existing in sorted((out / env).glob("*/kserve/kustomization.yaml")):
                if GENERATED_MARK in existing.read_text(encoding="utf-8", errors="replace")[:200]:
                    folders[env].add(f"{existing.parent.parent.name}/kserve")
    out_files = []
    for env, models in sorted(folders.items()):
        resources: list[Json] = []
        resources.extend(sorted(models))
        body: dict[str, Json] = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": resources,
        }
        content = (
            f"# {GENERATED_MARK} {__version__}: the KServe folders of environment `{env}`, for Argo CD or "
            "Flux. Do not edit.\n" + dump_yaml(body)
        )
        out_files.append(RenderedFile(f"{env}/kustomization.yaml", content, "kserve", env, "", "Kustomization"))
    return out_files


def write_tree(files: list[RenderedFile], out: Path, remove: Iterable[str] = ()) -> list[str]:
    """Replace --out by its next state in one atomic step; return the paths written (relative to out).

    `remove`: paths (relative to out) of files not to carry over (the folders they leave empty go too)."""
    groups: dict[str, list[RenderedFile]] = defaultdict(list)
    singles: dict[str, RenderedFile] = {}
    for f in files:
        parts = f.path.split("/")
        if any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts) or f.path.startswith("/"):
            raise WriteError(f"refusing to write outside --out: {f.path!r}")
        if len(parts) == 4:
            groups["/".join(parts[:3])].append(f)
        else:
            singles[f.path] = f
    root = out.resolve()
    refuse_unswappable(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    dropped = set(remove)
    with _locked(root):
        recover(root)
        for path in [*groups, *singles]:
            _no_symlinks(root, root / path)
        new = _beside(root, "new")
        new.mkdir()
        if root.is_dir():
            _carry_over(root, new, set(groups), set(singles) | dropped)
            shutil.copymode(root, new)
            for path in sorted(dropped):
                _remove_empty_folders(new / path, new)
        written: list[str] = []
        for i, (folder, members) in enumerate(sorted(groups.items())):
            if i == len(groups) // 2:
                _pause("staging")
            target = new / folder
            target.mkdir(parents=True)
            for f in members:
                _put(target / f.path.split("/")[-1], root / f.path, f.content)
                written.append(f.path)
        reindexed = {f.path: f for f in environment_indexes(files, new)}
        for path, f in sorted(singles.items()):
            target = new / path
            target.parent.mkdir(parents=True, exist_ok=True)
            _put(target, root / path, reindexed[path].content if path in reindexed else f.content)
            written.append(path)
        _pause("staged")
        _swap(new, root)
    return sorted(written)


def recover(root: Path) -> None:
    """Bring --out back to a whole tree after a killed run (see the table in the module docstring)."""
    new, old = _beside(root, "new"), _beside(root, "old")
    present = root.exists() or root.is_symlink()
    if old.exists() and new.exists() and not present:
        os.rename(new, root)
    elif old.exists() and not present:
        os.rename(old, root)
    if new.exists():
        shutil.rmtree(new)
    if old.exists():
        shutil.rmtree(old)


def exchange(a: Path, b: Path) -> None:
    """Atomically exchange two names (Linux renameat2 RENAME_EXCHANGE); ExchangeUnsupported elsewhere."""
    if not sys.platform.startswith("linux"):
        raise ExchangeUnsupported(sys.platform)
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # glibc before 2.28, musl before 1.2.4
        raise ExchangeUnsupported("no renameat2 in the C library")
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise ExchangeUnsupported(os.strerror(code))
        raise OSError(code, os.strerror(code), str(b))


def _swap(new: Path, root: Path) -> None:
    if not root.exists():
        os.rename(new, root)
        return
    try:
        exchange(new, root)
    except ExchangeUnsupported:
        old = _beside(root, "old")
        os.rename(root, old)
        _pause("moved-old")
        os.rename(new, root)
        shutil.rmtree(old)
        return
    _pause("swapped")
    shutil.rmtree(new)  # the old tree, now under the staging name


def _carry_over(source: Path, dest: Path, replaced_folders: set[str], replaced_files: set[str], rel: str = "") -> None:
    """Link every entry of the old tree that this run does not replace into the staged tree."""
    with os.scandir(source) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = f"{rel}{entry.name}"
            target = dest / entry.name
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
            elif entry.is_dir(follow_symlinks=False):
                if path in replaced_folders:
                    continue
                target.mkdir()
                shutil.copymode(entry.path, target)
                _carry_over(Path(entry.path), target, replaced_folders, replaced_files, path + "/")
            elif entry.is_file(follow_symlinks=False):
                if path in replaced_files:
                    continue
                try:
                    os.link(entry.path, target, follow_symlinks=False)
                except OSError:
                    shutil.copy2(entry.path, target, follow_symlinks=False)
            else:
                kind = stat.filemode(entry.stat(follow_symlinks=False).st_mode)[0]
                raise WriteError(f"cannot carry over the special file {entry.path} (type {kind}) under --out")


def _put(path: Path, previous: Path, content: str) -> None:
    """Stage `content` at `path`: a hard link to the current tree's file when that holds the same bytes
    (a re-render mostly changes nothing: no data is written, the file keeps its inode and mtime, and
    deleting the old tree frees no blocks), else a new file."""
    data = content.encode("utf-8")
    try:
        info = os.lstat(previous)
        if stat.S_ISREG(info.st_mode) and info.st_size == len(data):
            with open(previous, "rb") as handle:
                if handle.read(len(data) + 1) == data:
                    os.link(previous, path, follow_symlinks=False)
                    return
    except OSError:
        pass  # no such file, unreadable, or a filesystem without hard links: write it
    _write_bytes(path, data)


def _remove_empty_folders(removed: Path, root: Path) -> None:
    """Remove the folders above `removed` (a file not carried over) that are left empty, up to `root`."""
    current = removed.parent
    while current != root and root in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent


def _write_bytes(path: Path, data: bytes) -> None:
    """The bytes (os.write: a run writes thousands of small files, and a text-mode file object costs
    more than the write)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _beside(root: Path, what: str) -> Path:
    return root.parent / f".{root.name}.mlopsc-{what}"


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold a `flock` on the folder that holds --out; fail at once, with a clear message, when another run
    holds it. A folder is locked through a read-only descriptor (flock(2) takes any open file), so no lock
    file is ever created: nothing is left beside --out, and a killed run's lock goes with its process."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no flock: runs are not serialised there
        yield
        return
    fd = os.open(root.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WriteError(
                f"another mlopsc run is writing into {root} or a folder beside it (it holds a lock on "
                f"{root.parent}); wait for it to finish and run again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def refuse_unswappable(out: Path) -> None:
    """Raise WriteError when --out cannot be replaced as a whole (see the module docstring)."""
    root = out.resolve()
    cwd = Path.cwd().resolve()
    if cwd == root or root in cwd.parents:
        raise WriteError(
            f"--out {root} is the working folder or one of its parents; "
            "render into a folder of its own (it is replaced as a whole)"
        )
    if (root.exists() or root.is_symlink()) and not root.is_dir():
        raise WriteError(f"--out {root} exists and is not a folder")
    if not root.is_dir():
        return
    if os.path.ismount(root):
        raise WriteError(f"--out {root} is a mount point, which cannot be swapped; render into a folder inside it")
    other = _other_filesystem(root)
    if other is not None:
        raise WriteError(
            f"{other} under --out {root} is on another file system (a mount point): mlopsc replaces --out as a "
            "whole and will not delete across it; unmount it or move it out of --out"
        )


def _other_filesystem(root: Path) -> Path | None:
    """The first mount point under `root`, if any: from the kernel's mount table where there is one (a bind
    mount of the same file system keeps its device number), else the first folder (symlinks not followed)
    whose device differs from root's."""
    inside = sorted(p for p in _mount_points() if root in p.parents)
    if inside:
        return inside[0]
    device = os.lstat(root).st_dev
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name, reverse=True):
                if entry.is_dir(follow_symlinks=False):
                    if entry.stat(follow_symlinks=False).st_dev != device:
                        return Path(entry.path)
                    stack.append(Path(entry.path))
    return None


def _mount_points() -> list[Path]:
    """Every mount point of this process's mount namespace (Linux `/proc/self/mountinfo`, field 5, with
    its octal escapes); empty where there is no such file."""
    try:
        with open("/proc/self/mountinfo", "rb") as handle:
            lines = handle.read().decode("utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return []
    points = []
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:  # the kernel writes space, tab, newline and backslash as \ooo
            points.append(Path(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])))
    return points


def _no_symlinks(root: Path, target: Path) -> None:
    """Never follow a symlink under --out: it could point anywhere."""
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise WriteError(f"refusing to write through the symlink {current}")


def _pause(step: str) -> None:
    """The test hook of the module docstring: stop here so a test can kill the process."""
    if os.environ.get(PAUSE_VARIABLE) == step:
        print(f"mlopsc-test-pause {step}", file=sys.stderr, flush=True)
        time.sleep(120)
