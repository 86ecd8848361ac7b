"""CI runs what the tests need and holds the suite to it (issue #18).

- `.ci/run` is the README's test command plus the tool installs and the faked-clock run, and lints clean.
- Under CI=true (tests/conftest.py): an unexpected skip fails the run, an allow-listed one does not;
  `--snapshot-update` is refused; hypothesis gets a fresh seed, printed for a replay.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ALLOWED_CI_SKIPS, ROOT

RUN = (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    command = next(b for b in blocks if "pytest" in b)
    assert command in RUN.splitlines(), f"README says `{command}`; .ci/run must run exactly that"


def test_ci_installs_the_tools_the_tests_skip_without() -> None:
    for package in ("faketime", "shellcheck", "jq", "openssh-client", "git", "kubectl"):
        assert package in RUN, package
    assert "apt-get update" in RUN and "export CI=true" in RUN
    assert re.search(r"faketime -f '\+3y' \.venv/bin/python -m pytest", RUN), "the suite runs three years ahead"


def test_ci_runs_the_real_framework_tests_in_both_runs() -> None:
    """The frameworks venv is made and its interpreter exported before the README command and the faketime
    run, so tests/test_azureml_scoring_real.py runs in both (a skip there would fail under CI=true)."""
    lines = RUN.splitlines()
    make = lines.index('bash tests/frameworks/make-venv "$PWD/.venv-frameworks"')
    export = lines.index('export MLOPSC_FRAMEWORKS_PYTHON="$PWD/.venv-frameworks/bin/python"')
    first_run = next(i for i, line in enumerate(lines) if line.endswith(".venv/bin/python -m pytest"))
    assert make < export < first_run


def test_ci_script_lints_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed")
    done = subprocess.run([shellcheck, str(ROOT / ".ci/run")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_the_allow_list_is_short_and_says_why() -> None:
    assert 0 < len(ALLOWED_CI_SKIPS) <= 5
    assert all(reason and why for reason, why in ALLOWED_CI_SKIPS)


def _pytest(folder: Path, *args: str, ci: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MLOPSC_FUZZ_SEED")}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-q", "--rootdir", str(folder), *args, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def skipping(tmp_path: Path) -> Path:
    allowed = ALLOWED_CI_SKIPS[0][0]
    (tmp_path / "test_skips.py").write_text(
        "import pytest\n\n"
        "def test_tool_missing():\n    pytest.skip('frobnicate is not installed')\n\n"
        f"def test_allowed():\n    pytest.skip({allowed!r})\n\n"
        "@pytest.mark.xfail(reason='known')\ndef test_xfail():\n    assert False\n",
        encoding="utf-8",
    )
    return tmp_path


def test_an_unexpected_skip_fails_under_ci(skipping: Path) -> None:
    done = _pytest(skipping)
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 skipped, 1 xfailed" in done.stdout
    assert "skipped under CI: frobnicate is not installed" in done.stdout


def test_a_skip_outside_ci_is_a_skip(skipping: Path) -> None:
    done = _pytest(skipping, ci=False)
    assert done.returncode == 0, done.stdout
    assert "2 skipped, 1 xfailed" in done.stdout


def test_snapshot_update_is_refused_under_ci(skipping: Path) -> None:
    done = _pytest(skipping, "--snapshot-update")
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    assert "--snapshot-update is refused when CI is set" in done.stderr


def test_ci_gets_a_fresh_hypothesis_seed_and_prints_it(tmp_path: Path) -> None:
    (tmp_path / "test_h.py").write_text(
        "from hypothesis import core, given, strategies as st\n\n"
        "@given(st.integers())\ndef test_int(n):\n    assert core.global_force_seed is not None\n",
        encoding="utf-8",
    )
    seeds = set()
    for _ in range(2):
        done = _pytest(tmp_path)
        assert done.returncode == 0, done.stdout
        found = re.findall(r"hypothesis seed: (\d+) \(replay: pytest --hypothesis-seed=\1\)", done.stdout)
        assert found, done.stdout  # in the summary (and in the header, shown without -q)
        seeds.add(found[0])
    assert len(seeds) == 2, "each CI run draws a new seed"


def test_vendor_refresh_notes_live_in_the_repository() -> None:
    """Catalog comments point at docs/vendor-data.md, never at a temporary folder outside the repository."""
    notes = (ROOT / "docs/vendor-data.md").read_text(encoding="utf-8")
    for catalog in [*sorted((ROOT / "targets").glob("*/catalog.py")), ROOT / "targets/kserve/runtimes.py"]:
        text = catalog.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])/tmp/", text), f"{catalog} points at a temporary folder"
        assert catalog.relative_to(ROOT).as_posix() in notes, f"docs/vendor-data.md does not cover {catalog}"
    for catalog in ("sagemaker", "vertex"):
        assert "docs/vendor-data.md" in (ROOT / f"targets/{catalog}/catalog.py").read_text(encoding="utf-8")


def test_without_shared_the_core_kinds_are_still_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ../shared only the CRD kinds go unchecked: a broken core kind in the same render still fails."""
    from mlopsc.compiler.ir import RenderedFile
    from tests.validators import rendered

    monkeypatch.setattr(rendered, "KSERVE_CRDS", ROOT / "no-such-folder")
    rendered._crd_validator.cache_clear()
    monkeypatch.setattr(rendered, "_crd_validator", rendered._crd_validator.__wrapped__)
    isvc = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": "m"}}
    broken = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}, "data": {"a": 1}, "bogus": True}
    files = [
        RenderedFile("p/m/kserve/isvc.yaml", "", "kserve", "p", "m", "InferenceService", isvc),
        RenderedFile("p/m/kserve/dashboard.yaml", "", "kserve", "p", "m", "ConfigMap", broken),
    ]
    failures = rendered.check_all(files)
    assert list(failures) == ["p/m/kserve/dashboard.yaml"], failures
    with pytest.raises(pytest.skip.Exception, match="1 file"):
        rendered.check_all(files[:1])
