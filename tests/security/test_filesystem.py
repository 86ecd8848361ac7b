"""The file system as an attacker's input (issue #12): a spec path that is a FIFO or a device, a spec
symlink that leaves the folder searched, a mount point under --out. Each is refused at once, unread or
untouched, with a diagnostic or a usage error; never a hang, a traceback or a deletion across a mount."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlopsc.compiler import writer
from tests.gitops_fixtures import kserve_spec

TIMEOUT = 60  # a hang on a FIFO would last forever: the timeout turns it into a failure


def mlopsc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlopsc.compiler.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("given", ["specs", "specs/mlops.yaml"])
def test_a_fifo_named_mlops_yaml_is_refused_at_once(tmp_path: Path, given: str) -> None:
    (tmp_path / "specs").mkdir()
    os.mkfifo(tmp_path / "specs/mlops.yaml")
    done = mlopsc(tmp_path, "validate", given)
    assert done.returncode == 1, done.stderr
    assert "specs/mlops.yaml: error[E001]: not read: a FIFO, not a regular file" in done.stderr
    assert "Traceback" not in done.stderr and "E900" not in done.stderr


def test_a_device_named_mlops_yaml_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "mlops.yaml").symlink_to("/dev/zero")  # named on the command line: followed, then refused
    done = mlopsc(tmp_path, "validate", "mlops.yaml")
    assert done.returncode == 1, done.stderr
    assert "mlops.yaml: error[E001]: not read: a character device, not a regular file" in done.stderr


def test_a_spec_symlink_out_of_the_folder_searched_is_refused_unread(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.mkfifo(outside / "mlops.yaml")  # reading it would hang: the test proves it is never opened
    repo = tmp_path / "repo"
    (repo / "models/a").mkdir(parents=True)
    (repo / "models/a/mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    (repo / "models/b").mkdir()
    (repo / "models/b/mlops.yaml").symlink_to(outside / "mlops.yaml")
    done = mlopsc(repo, "validate", "models")
    assert done.returncode == 1, done.stderr
    assert "models/b/mlops.yaml: error[E001]: not read: a symlink to " in done.stderr
    assert "outside the folder searched (models)" in done.stderr


def test_a_spec_symlink_inside_the_folder_searched_is_read(tmp_path: Path) -> None:
    (tmp_path / "specs/shared").mkdir(parents=True)
    (tmp_path / "specs/shared/mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    (tmp_path / "specs/link").mkdir()
    (tmp_path / "specs/link/mlops.yaml").symlink_to("../shared/mlops.yaml")
    done = mlopsc(tmp_path, "validate", "specs")
    assert done.returncode == 0, done.stderr


def _compiled(tmp_path: Path) -> Path:
    (tmp_path / "mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    done = mlopsc(tmp_path, "compile", "mlops.yaml", "--out", "out")
    assert done.returncode == 0, done.stderr
    mount = tmp_path / "out/staging/mounted"
    mount.mkdir()
    return mount


def _namespaces() -> bool:
    """Whether this machine lets an unprivileged process mount in a user and mount namespace of its own."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True, check=False
    )
    return probe.returncode == 0


def test_a_mount_point_under_out_is_refused_before_anything_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real tmpfs mounted under --out, in a user and mount namespace of its own (`unshare`): compile and
    check --fix refuse with a usage error, and the file on the mounted file system survives. Where
    namespaces are not permitted, the mount table is faked instead (as in the next test)."""
    mount = _compiled(tmp_path)
    if not _namespaces():
        _refused_with_a_faked_mount_table(tmp_path, mount, monkeypatch)
        return
    script = (
        f'mount -t tmpfs none "{mount}" && echo precious > "{mount}/data" && '
        f'"{sys.executable}" -m mlopsc.compiler.cli compile mlops.yaml --out out; echo "compile=$?"; '
        f'"{sys.executable}" -m mlopsc.compiler.cli check mlops.yaml --out out --fix; echo "fix=$?"; '
        f'cat "{mount}/data"'
    )
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert "compile=2\n" in done.stdout and "fix=2\n" in done.stdout, done.stdout + done.stderr
    assert done.stdout.endswith("precious\n")
    assert "is on another file system (a mount point)" in done.stderr and "Traceback" not in done.stderr


def test_a_mount_point_found_in_the_mount_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal reads the mount table, so a bind mount of the same file system (same device number) is
    found too."""
    _refused_with_a_faked_mount_table(tmp_path, _compiled(tmp_path), monkeypatch)


def _refused_with_a_faked_mount_table(tmp_path: Path, mount: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mlopsc.compiler.cli import cli

    (mount / "data").write_text("precious\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(writer, "_mount_points", lambda: [Path("/"), mount.resolve()])
    for args in (["compile", "mlops.yaml", "--out", "out"], ["check", "mlops.yaml", "--out", "out", "--fix"]):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 2, result.output
        assert "staging/mounted under --out" in result.stderr and "another file system" in result.stderr
    assert (mount / "data").read_text() == "precious\n"


@pytest.mark.parametrize(
    "args",
    [
        ["rollout", "next", "mlops.yaml", "--env", "production"],
        ["approve", "mlops.yaml", "--env", "production", "--by", "a@example.com", "--role", "risk"],
    ],
    ids=["rollout", "approve"],
)
def test_commands_that_edit_one_spec_refuse_a_fifo(tmp_path: Path, args: list[str]) -> None:
    os.mkfifo(tmp_path / "mlops.yaml")
    done = mlopsc(tmp_path, *args)
    assert done.returncode == 1, done.stderr
    assert "mlops.yaml is a FIFO, not a regular file: not read" in done.stderr
