"""A compile is atomic as a whole: killed at any step it leaves the old tree or the new one, a second
compile into the same --out fails with a clear message, and symlinks under --out are never followed."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler import writer
from tests.bad_inputs import BASE

Run = Callable[..., Result]
Tree = dict[str, bytes | str]

V1 = BASE
V2 = BASE.replace("rps: 100", "rps: 300").replace(
    "secrets:", "environments:\n  staging: {}\n  production: {governance: {level: staging}}\nsecrets:"
)


def snapshot(folder: Path) -> Tree:
    """Every entry under folder: file bytes, or `-> target` for a symlink (never followed)."""
    tree: Tree = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in [*dirnames, *filenames]:
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                tree[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                tree[rel] = path.read_bytes()
            else:
                tree[rel + "/"] = "dir"
    return tree


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.glob(f".{out.name}.mlopsc-*") if not p.name.endswith("-lock"))


@pytest.fixture
def trees(tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Tree, Tree]:
    """(spec folder, old tree = v1 rendered, new tree = v2 rendered over v1) with a user file and a symlink."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlops.yaml").write_text(V1)
    expected = tmp_path / "expected"
    cli_run(["compile", "mlops.yaml", "--out", str(expected)], expect=0)
    (expected / "NOTES.md").write_text("kept by every run\n")
    (expected / "link").symlink_to("/etc", target_is_directory=True)
    old = snapshot(expected)
    (tmp_path / "mlops.yaml").write_text(V2)
    cli_run(["compile", "mlops.yaml", "--out", str(expected)], expect=0)
    new = snapshot(expected)
    (tmp_path / "mlops.yaml").write_text(V1)
    out = tmp_path / "out"
    cli_run(["compile", "mlops.yaml", "--out", str(out)], expect=0)
    (out / "NOTES.md").write_text("kept by every run\n")
    (out / "link").symlink_to("/etc", target_is_directory=True)
    (tmp_path / "mlops.yaml").write_text(V2)
    assert old != new and snapshot(out) == old
    assert {"staging/fraud-model/kserve/", "NOTES.md", "link"} <= set(new)
    return tmp_path, old, new


def _compile_paused(folder: Path, step: str) -> subprocess.Popen[str]:
    """Start a compile that stops at `step`; return once it is paused there."""
    env = {**os.environ, writer.PAUSE_VARIABLE: step}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlopsc.compiler.cli", "compile", "mlops.yaml", "--out", "out"],
        cwd=folder,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    for line in proc.stderr:
        if line.strip() == f"mlopsc-test-pause {step}":
            return proc
        assert time.monotonic() < deadline, "the compile did not reach the pause"
    proc.wait()
    proc.stderr.close()
    raise AssertionError(f"the compile ended (exit {proc.returncode}) without pausing at {step}")


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.stderr is not None
    proc.stderr.close()


@pytest.mark.parametrize(("step", "expect"), [("staging", "old"), ("staged", "old"), ("swapped", "new")])
def test_kill_9_leaves_old_or_new_tree(trees: tuple[Path, Tree, Tree], step: str, expect: str, cli_run: Run) -> None:
    folder, old, new = trees
    proc = _compile_paused(folder, step)
    _kill(proc)
    assert proc.returncode == -signal.SIGKILL
    after = snapshot(folder / "out")
    assert after == (old if expect == "old" else new)
    # the next run recovers (drops the staging or the old tree) and writes the new tree
    cli_run(["compile", "mlops.yaml", "--out", "out"], expect=0)
    assert snapshot(folder / "out") == new
    assert leftovers(folder / "out") == []


class Killed(BaseException):
    """Stands for SIGKILL in-process: nothing after the pause point runs."""


@pytest.mark.parametrize("step", ["staging", "staged", "moved-old"])
def test_without_renameat2_the_next_run_completes_or_rolls_back(
    trees: tuple[Path, Tree, Tree], step: str, cli_run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, old, new = trees

    def unsupported(a: Path, b: Path) -> None:
        raise writer.ExchangeUnsupported("test")

    def pause(at: str) -> None:
        if at == step:
            raise Killed(at)

    monkeypatch.setattr(writer, "exchange", unsupported)
    monkeypatch.setattr(writer, "_pause", pause)
    with pytest.raises(Killed):
        cli_run(["compile", "mlops.yaml", "--out", "out"])
    out = folder / "out"
    if step == "moved-old":
        assert not out.exists() and leftovers(out) == [".out.mlopsc-new", ".out.mlopsc-old"]
    else:
        assert snapshot(out) == old
    writer.recover(out.resolve())
    assert snapshot(out) == (new if step == "moved-old" else old)
    assert leftovers(out) == []
    monkeypatch.setattr(writer, "_pause", lambda at: None)
    cli_run(["compile", "mlops.yaml", "--out", "out"], expect=0)
    assert snapshot(out) == new


def test_recovery_of_a_lone_old_tree_rolls_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = tmp_path / ".out.mlopsc-old"
    old.mkdir()
    (old / "a.yaml").write_text("a\n")
    writer.recover(out)
    assert snapshot(out) == {"a.yaml": b"a\n"} and not old.exists()


def test_a_second_compile_into_the_same_out_fails_at_once(trees: tuple[Path, Tree, Tree], cli_run: Run) -> None:
    folder, old, _ = trees
    held = os.open(folder, os.O_RDONLY)  # the writer locks the folder that holds --out
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        result = cli_run(["compile", "mlops.yaml", "--out", "out"], expect=1)
        assert time.monotonic() - started < 10
    finally:
        os.close(held)
    assert "another mlopsc run is writing into" in result.stderr
    assert snapshot(folder / "out") == old


def test_a_real_concurrent_compile_is_refused(trees: tuple[Path, Tree, Tree]) -> None:
    folder, _, _ = trees
    first = _compile_paused(folder, "staged")
    try:
        second = subprocess.run(
            [sys.executable, "-m", "mlopsc.compiler.cli", "compile", "mlops.yaml", "--out", "out"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        _kill(first)
    assert second.returncode == 1
    assert "another mlopsc run is writing into" in second.stderr and "Traceback" not in second.stderr


def test_symlinks_under_out_are_kept_not_followed(trees: tuple[Path, Tree, Tree], cli_run: Run) -> None:
    folder, _, new = trees
    cli_run(["compile", "mlops.yaml", "--out", "out"], expect=0)
    link = folder / "out" / "link"
    assert link.is_symlink() and os.readlink(link) == "/etc"
    assert snapshot(folder / "out") == new


def test_writing_through_a_symlinked_folder_is_refused(trees: tuple[Path, Tree, Tree], cli_run: Run) -> None:
    folder, _, _ = trees
    elsewhere = folder / "elsewhere"
    elsewhere.mkdir()
    (folder / "out" / "staging").symlink_to(elsewhere, target_is_directory=True)
    result = cli_run(["compile", "mlops.yaml", "--out", "out"], expect=1)
    assert "refusing to write through the symlink" in result.stderr
    assert not any(elsewhere.iterdir())
    assert leftovers(folder / "out") == []


def test_out_may_not_hold_the_working_folder(trees: tuple[Path, Tree, Tree], cli_run: Run) -> None:
    folder, _, _ = trees
    before = snapshot(folder)
    result = cli_run(["compile", "mlops.yaml", "--out", "."], expect=2)
    assert "working folder" in result.stderr
    assert snapshot(folder) == before


def test_an_unchanged_file_keeps_its_inode_and_a_changed_one_is_new(tmp_path: Path) -> None:
    """A re-render links the files whose bytes did not change (no data written, mtime kept)."""
    from mlopsc.compiler.ir import RenderedFile

    def files(text: str) -> list[RenderedFile]:
        return [
            RenderedFile("staging/m/kserve/a.yaml", "same: 1\n", "kserve", "staging", "m", "A"),
            RenderedFile("staging/m/kserve/b.yaml", text, "kserve", "staging", "m", "B"),
        ]

    out = tmp_path / "out"
    writer.write_tree(files("b: 1\n"), out)
    a, b = (os.stat(out / "staging/m/kserve" / n) for n in ("a.yaml", "b.yaml"))
    writer.write_tree(files("b: 2\n"), out)
    a2, b2 = (os.stat(out / "staging/m/kserve" / n) for n in ("a.yaml", "b.yaml"))
    assert (a2.st_ino, a2.st_mtime_ns, a2.st_nlink) == (a.st_ino, a.st_mtime_ns, 1)
    assert b2.st_ino != b.st_ino and (out / "staging/m/kserve/b.yaml").read_text() == "b: 2\n"
    assert (out / "staging/m/kserve/a.yaml").read_text() == "same: 1\n" and not leftovers(out)
