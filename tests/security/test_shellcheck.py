"""Every rendered shell script in the goldens (and those of a spec with every script feature) passes
`bash -n` and `shellcheck` with no finding at all (style included)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.security.harness import render
from tests.security.specs import AZURE_BATCH, FULL, VERTEX_BATCH

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_SCRIPTS = sorted((ROOT / "golden").glob("*/expected/**/*.sh"))


def _shellcheck(text: str) -> str:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (Debian package `shellcheck`)")
    done = subprocess.run(
        ["shellcheck", "--shell=bash", "--severity=style", "--format=gcc", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout + done.stderr


def test_goldens_have_scripts() -> None:
    assert len(GOLDEN_SCRIPTS) >= 20


@pytest.mark.parametrize("script", GOLDEN_SCRIPTS, ids=[str(p.relative_to(ROOT / "golden")) for p in GOLDEN_SCRIPTS])
def test_golden_script(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    parsed = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, check=False)
    assert parsed.returncode == 0, parsed.stderr
    assert _shellcheck(text) == ""


@pytest.mark.parametrize("spec", [FULL, AZURE_BATCH, VERTEX_BATCH], ids=["full", "azure-batch", "vertex-batch"])
def test_rendered_script(spec: str) -> None:
    scripts = [f for f in render(spec, path="a\n$(x)/mlops.yaml").files if f.path.endswith(".sh")]
    assert scripts
    for f in scripts:
        assert _shellcheck(f.content) == "", f.path
