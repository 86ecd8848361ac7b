"""Strict typing and linting are part of the test suite (so CI runs them with everything else)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("compiler", "targets", "policies")


def test_mypy_strict(tmp_path: Path) -> None:
    # The three folders install as mlopsc.compiler, mlopsc.targets and mlopsc.policies through a
    # package-dir mapping that mypy cannot follow: give it the same view with symlinks.
    view = tmp_path / "mlopsc"
    view.mkdir()
    for name in PACKAGES:
        (view / name).symlink_to(ROOT / name, target_is_directory=True)
    args = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--namespace-packages",
        "--explicit-package-bases",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    for name in PACKAGES:
        args += ["-p", f"mlopsc.{name}"]
    result = subprocess.run(
        args, cwd=tmp_path, env={**os.environ, "MYPYPATH": str(tmp_path)}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command: list[str]) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the test extras"
    result = subprocess.run([ruff, *command, *PACKAGES, "tests"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
