"""The shipped pre-commit hooks, for real: a repository whose .pre-commit-config.yaml points at a clone
of this repository; the real `pre-commit` refuses a bad spec, a policy violation and a stale rendered
tree with their diagnostics, and passes a good commit. Plus the hook regex against lists of paths."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.gitops_fixtures import GIT_ENV, ROOT, commit_all, git, kserve_spec, repo

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
BY_ID = {hook["id"]: hook for hook in HOOKS}


def test_hooks_are_complete() -> None:
    assert set(BY_ID) == {"mlopsc-validate", "mlopsc-policy", "mlopsc-check"}
    for hook in HOOKS:
        assert hook["name"] and hook["entry"].startswith("mlopsc ") and hook["language"] == "python"
    check = BY_ID["mlopsc-check"]
    assert check["pass_filenames"] is False and check["require_serial"] is True
    assert check["args"] == [".", "--out", "rendered"]


@pytest.mark.parametrize(
    "path",
    ["mlops.yaml", "mlops.yml", "models/fraud/mlops.yaml", "a/b/c/mlops.yml", "./x/mlops.yaml"],
)
@pytest.mark.parametrize("hook", ["mlopsc-validate", "mlopsc-policy"])
def test_hook_files_match_specs(hook: str, path: str) -> None:
    assert re.search(BY_ID[hook]["files"], path)


@pytest.mark.parametrize(
    "path",
    [
        "mlops.yaml.bak",
        "my-mlops.yaml",
        "mlops.json",
        "notmlops.yml",
        "rendered/production/m/kserve/mlops.yaml.txt",
        "docs/mlops.yaml.md",
        "mlopsXyaml",
        "mlops.yaml/readme",
    ],
)
def test_hook_files_skip_other_paths(path: str) -> None:
    assert not re.search(BY_ID["mlopsc-validate"]["files"], path)


def _clone_of_this_repository(dest: Path) -> str:
    """A clone of ROOT at a commit holding the files as they are in ROOT's work tree (in CI they are
    the same; on a developer's machine uncommitted changes are committed in the clone only)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    if head.returncode != 0:
        pytest.skip(f"{ROOT} is not a git repository with a commit: pre-commit needs one to clone")
    git(dest.parent, "clone", "-q", "--no-hardlinks", str(ROOT), dest.name)
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest / name)
        elif not source.exists() and (dest / name).exists():
            (dest / name).unlink()
    return commit_all(dest, "work tree of the repository under test")


@pytest.mark.network
def test_pre_commit_hooks_refuse_bad_specs_and_stale_trees(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    rev = _clone_of_this_repository(tmp_path / "mlopsc")
    project = repo(tmp_path / "project")
    config = {
        "repos": [
            {
                "repo": str(tmp_path / "mlopsc"),
                "rev": rev,
                "hooks": [{"id": "mlopsc-validate"}, {"id": "mlopsc-policy"}, {"id": "mlopsc-check"}],
            }
        ]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    spec = project / "models/fraud/mlops.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(kserve_spec())
    subprocess.run(
        [sys.executable, "-m", "mlopsc.compiler.cli", "compile", ".", "--out", "rendered"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(key, None)

    def pre_commit() -> subprocess.CompletedProcess[str]:
        git(project, "add", "-A")
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--color", "never", "--files", "models/fraud/mlops.yaml"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )

    good = pre_commit()
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"mlopsc validate\.+Passed", good.stdout)
    assert re.search(r"mlopsc check \(rendered tree is up to date\)\.+Passed", good.stdout)
    commit_all(project, "good")

    bad = kserve_spec().replace("  traffic: 5  ", "  traffic: 150", 1)
    spec.write_text(bad)
    line = bad.splitlines().index(next(x for x in bad.splitlines() if x.startswith("  traffic: 150"))) + 1
    refused = pre_commit()
    assert refused.returncode == 1
    assert re.search(r"mlopsc validate\.+Failed", refused.stdout)
    assert re.search(rf"models/fraud/mlops.yaml:{line}:12: error\[E1\d\d\]", refused.stdout)

    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    spec.write_text(kserve_spec().replace("LOG_LEVEL: info", f"LOG_LEVEL: {token}"))
    leaked = pre_commit()
    assert leaked.returncode == 1
    assert re.search(r"mlopsc policy\.+Failed", leaked.stdout)
    assert re.search(r"models/fraud/mlops.yaml:\d+:\d+: error\[SEC\d+\]", leaked.stdout)
    assert token not in leaked.stdout

    spec.write_text(kserve_spec(traffic=25))  # a valid change, but the rendered tree was not rebuilt
    stale = pre_commit()
    assert stale.returncode == 1
    assert re.search(r"mlopsc validate\.+Passed", stale.stdout)
    assert re.search(r"mlopsc check \(rendered tree is up to date\)\.+Failed", stale.stdout)
    isvc = project / "rendered/production/fraud-detection/kserve/inferenceservice.yaml"
    at = isvc.read_text().splitlines().index("    canaryTrafficPercent: 5") + 1
    assert f"{isvc.relative_to(project).as_posix()}:{at}:1: error[G001]" in stale.stdout
    assert "+    canaryTrafficPercent: 25" in stale.stdout
