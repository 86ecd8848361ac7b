"""Output depends on nothing but the spec (issue 7): not on the clock, not on the machine (checkout
folder, user, home, locale, time zone, host name). tests/test_determinism.py covers hash seeds and key order."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitops_fixtures import kserve_spec

# Installed as sitecustomize: every clock Python offers reads FAKE_NOW (an ISO timestamp, UTC).
FAKE_CLOCK = """
import datetime as _dt, os, time as _time
_now = _dt.datetime.fromisoformat(os.environ["FAKE_NOW"]).replace(tzinfo=_dt.timezone.utc)
_epoch = _now.timestamp()
class _Date(_dt.date):
    @classmethod
    def today(cls):
        return _dt.date(_now.year, _now.month, _now.day)
class _DateTime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return _now if tz is not None else _now.replace(tzinfo=None)
    @classmethod
    def utcnow(cls):
        return _now.replace(tzinfo=None)
    @classmethod
    def today(cls):
        return _now.replace(tzinfo=None)
_dt.date = _Date
_dt.datetime = _DateTime
_time.time = lambda: _epoch
_time.time_ns = lambda: int(_epoch * 1e9)
"""


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _compile(checkout: Path, extra_env: dict[str, str]) -> dict[str, bytes]:
    checkout.mkdir(parents=True, exist_ok=True)
    (checkout / "mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    env = {**os.environ, **extra_env}
    subprocess.run(
        [sys.executable, "-m", "mlopsc.compiler.cli", "compile", "mlops.yaml", "--out", "rendered"],
        cwd=checkout,
        env=env,
        check=True,
        capture_output=True,
    )
    return _tree(checkout / "rendered")


def test_same_bytes_under_a_faked_clock(tmp_path: Path) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(FAKE_CLOCK)
    path = os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH", "")]))
    probe = subprocess.run(
        [sys.executable, "-c", "import datetime, time; print(datetime.date.today(), int(time.time()))"],
        env={**os.environ, "PYTHONPATH": path, "FAKE_NOW": "2026-12-24T23:59:58"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.split()[0] == "2026-12-24", "the fake clock is in effect"
    trees = [
        _compile(tmp_path / name, {"PYTHONPATH": path, "FAKE_NOW": now, "TZ": tz})
        for name, now, tz in (("a", "2026-11-23T00:00:01", "UTC"), ("b", "2027-01-31T23:59:59", "Asia/Tokyo"))
    ]
    assert trees[0] == trees[1] and trees[0]


def test_faketime_when_installed(tmp_path: Path) -> None:
    faketime = shutil.which("faketime")
    if faketime is None:
        pytest.skip("faketime (libfaketime) is not installed: test_same_bytes_under_a_faked_clock covers the clock")
    first = _compile(tmp_path / "a", {})
    checkout = tmp_path / "b"
    checkout.mkdir()
    (checkout / "mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    subprocess.run(
        [faketime, "2027-01-15 12:00:00", sys.executable, "-m", "mlopsc.compiler.cli", "compile", "mlops.yaml"],
        cwd=checkout,
        check=True,
        capture_output=True,
    )
    assert _tree(checkout / "rendered") == first


def test_same_bytes_on_another_machine_and_no_machine_detail_leaks(tmp_path: Path) -> None:
    here = _compile(tmp_path / "alice" / "src" / "models", {"USER": "alice", "HOME": "/home/alice", "LANG": "C"})
    there = _compile(
        tmp_path / "ci-runner-7f3a" / "work" / "repo",
        {"USER": "runner", "HOME": "/home/runner", "LANG": "de_DE.UTF-8", "TZ": "America/Los_Angeles"},
    )
    assert here == there and here
    leaks = [str(tmp_path), "alice", "ci-runner-7f3a", "/home/"]
    host = socket.gethostname()
    if len(host) >= 6:  # a short name like `ci` could be part of any word
        leaks.append(host)
    for name, content in here.items():
        text = content.decode()
        assert not [leak for leak in leaks if leak in text], f"{name} mentions the machine"
