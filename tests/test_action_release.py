"""The GitHub Action as a runner would run it, and the release process that makes the README's pins true.

- action.yml sets up its own Python (actions/setup-python, the workflow's Python untouched) and its steps
  are replayed here as a runner does: each `run:` in `bash -eo pipefail` with its `env:` evaluated, the
  setup-python step standing in with this machine's Python (the runner images' Pythons are not here).
- Every pin (`mlopsc/mlopsc@vX`, `rev: vX`, the deploy job's `git+...@vX`) equals `v` + the version of
  pyproject.toml, which CHANGELOG.md has a section for; a tag build must be that tag (docs/releasing.md).
- Annotation titles name the code once, with its title.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from mlopsc.compiler import __version__
from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.formats.github import render_github
from tests.gitops_fixtures import GIT_ENV, ROOT, commit_all, kserve_spec, repo

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
# every document a user copies a pin from (docs/releasing.md writes them as vX.Y.Z)
DOCS = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "releasing.md"),
    *sorted((ROOT / "examples").rglob("*.yml")),
]
PINS = (
    r"mlopsc/mlopsc@(v?[0-9A-Za-z._-]+)",
    r"\brev: (v?[0-9A-Za-z._-]+)",
    r"git\+https://github\.com/mlopsc/mlopsc@(v?[0-9A-Za-z._-]+)",
)


def _action() -> dict[str, object]:
    doc = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _steps() -> list[dict[str, object]]:
    runs = _action()["runs"]
    assert isinstance(runs, dict)
    return list(runs["steps"])


# --- the release process --------------------------------------------------------------------------------


def test_the_package_and_the_code_agree_on_the_version() -> None:
    assert __version__ == VERSION


def test_every_pin_in_the_docs_is_the_released_version() -> None:
    found: dict[str, set[str]] = {}
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for pattern in PINS:
            for pin in re.findall(pattern, text):
                found.setdefault(pin, set()).add(doc.relative_to(ROOT).as_posix())
    assert set(found) == {f"v{VERSION}"}, found
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mlopsc/mlopsc@v{VERSION}" in readme and f"rev: v{VERSION}" in readme


def test_the_changelog_has_a_section_for_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    steps = (ROOT / "docs/releasing.md").read_text(encoding="utf-8")
    assert "git tag -a vX.Y.Z" in steps and "CHANGELOG.md" in steps and "pyproject.toml" in steps


def test_a_tag_build_is_the_version_it_claims() -> None:
    """On CI for a tag (GitHub sets GITHUB_REF_TYPE=tag), the tag must be `v` + pyproject's version."""
    if os.environ.get("GITHUB_REF_TYPE") == "tag":
        assert os.environ.get("GITHUB_REF_NAME") == f"v{VERSION}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)


def test_no_doc_installs_mlopsc_from_a_package_index() -> None:
    """mlopsc is not published on an index: `pip install mlopsc` would install someone else's package, or
    nothing. Installs name the repository at the pinned tag."""
    for doc in [*DOCS, ROOT / "action.yml"]:
        text = doc.read_text(encoding="utf-8")
        assert not re.search(r"pip install (-\S+ )*mlopsc\b(?! @)", text), doc


# --- annotations ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["G001", "G002", "G003", "G004", "E003", "SEC001", "X999"])
def test_annotation_titles_name_the_code_once(code: str) -> None:
    line = render_github([Diagnostic("rendered/a.yaml", 3, 1, code, Severity.ERROR, "stale")]).splitlines()[0]
    title = re.search(r"title=([^:]*)::", line)
    assert title is not None, line
    words = title.group(1).split(" ")
    assert words[0] == code and code not in words[1:], line
    assert len(words) > 1


# --- the Action -----------------------------------------------------------------------------------------


def test_the_action_sets_up_its_own_python() -> None:
    steps = _steps()
    setup = steps[0]
    assert str(setup["uses"]).startswith("actions/setup-python@v5")
    settings = setup["with"]
    assert isinstance(settings, dict)
    assert settings["update-environment"] is False, "the workflow's own Python stays as it was"
    inputs = _action()["inputs"]
    assert isinstance(inputs, dict)
    default = str(inputs["python-version"]["default"])
    assert tuple(int(p) for p in default.split(".")) >= (3, 11)  # pyproject's requires-python
    scripts = [str(s.get("run", "")) for s in steps]
    assert not any(re.search(r"(^|\s)python3? ", script) for script in scripts), "never the runner's python"


def _evaluate(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        assert step is not None, f"the replay does not know the expression {expression}"
        return outputs[step.group(1)][step.group(2)]

    return re.sub(r"\$\{\{(.*?)\}\}", one, value)


@pytest.mark.slow
@pytest.mark.network
def test_the_action_steps_run_as_a_runner_runs_them(tmp_path: Path) -> None:
    """Replay action.yml: setup-python (this machine's Python stands in), the install from the action's own
    checkout into a fresh venv, then the action itself on a repository with a spec and its rendered tree."""
    action_path = tmp_path / "action"
    shutil.copytree(
        ROOT,
        action_path,
        ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", ".*_cache"),
    )
    project = repo(tmp_path / "project")
    (project / "mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mlopsc.compiler.cli", "compile", "mlops.yaml", "--out", "rendered"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    commit_all(project, "specs and their rendered tree")
    runner = tmp_path / "runner"
    runner.mkdir()
    declared = _action()["inputs"]
    assert isinstance(declared, dict)
    inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    inputs["paths"] = "mlops.yaml"
    outputs: dict[str, dict[str, str]] = {}
    base_env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        **GIT_ENV,
        "RUNNER_TEMP": str(runner),
        "GITHUB_ACTION_PATH": str(action_path),
        "GITHUB_OUTPUT": str(runner / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "GITHUB_BASE_REF": "",
    }
    for step in _steps():
        uses = str(step.get("uses", ""))
        if uses.startswith("actions/setup-python@"):
            outputs[str(step["id"])] = {"python-path": sys.executable}
            continue
        assert step.get("shell") == "bash"
        env = {k: _evaluate(str(v), inputs, outputs) for k, v in dict(step.get("env") or {}).items()}  # type: ignore[call-overload]
        ran = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _evaluate(str(step["run"]), inputs, outputs)],
            cwd=project,
            env={**base_env, **env},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert ran.returncode == 0, f"{step.get('name')}: {ran.stdout}\n{ran.stderr}"
    written = (runner / "output.txt").read_text(encoding="utf-8")
    assert re.search(r"^errors<<\S+\n0\n", written, re.M), written
    assert (runner / "mlopsc-venv/bin/mlopsc").exists(), "installed from the action's own checkout"
