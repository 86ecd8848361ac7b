"""The three top-level folders install under `mlopsc` only, and every package in them is listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPING = {"compiler": "mlopsc.compiler", "targets": "mlopsc.targets", "policies": "mlopsc.policies"}


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"] == {package: folder for folder, package in MAPPING.items()}
    listed = set(config["packages"])
    found = set()
    for folder, package in MAPPING.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *rel.parts]))
    assert found == listed, f"missing from pyproject: {sorted(found - listed)}; stale: {sorted(listed - found)}"


def test_nothing_installs_a_top_level_compiler_module(tmp_path: Path) -> None:
    # In a clean interpreter outside the checkout (pytest puts the checkout itself on sys.path).
    import os
    import subprocess
    import sys

    names = ("compiler", "targets", "policies", "mlopsc.compiler", "mlopsc.targets", "mlopsc.policies")
    probe = f"import importlib.util as u; print([u.find_spec(n) is not None for n in {names!r}])"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[False, False, False, True, True, True]"
