"""The new user's path, end to end, in a temporary git repository (issue #18), as a user types it:

quick start (the root mlops.yaml) -> `init` a second model -> compile -> commit with the pre-commit hooks
installed -> a bad edit refused by the hooks -> an edit, a stale tree refused, `check --fix` -> `check`
clean -> `rollout next` -> `diff` says what moved -> `approve` -> a model removed, one `--fix` -> commit.

The hooks are mlopsc's own `.pre-commit-hooks.yaml` entries run as local hooks (`language: unsupported`,
pre-commit's name for `system`): the same ids, entries, file patterns and arguments, with the `mlopsc` of
this environment, so nothing is installed and the test runs offline. The commands run as processes, with
the suite's fixed instant (MLOPSC_NOW); .ci/run runs the suite under `faketime -f '+3y'` as well, where
git, pre-commit and every command here see a clock three years ahead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.gitops_fixtures import GIT_ENV, ROOT, git, repo

BIN = Path(sys.executable).parent


def _env(home: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PRE_COMMIT_HOME")},
        **GIT_ENV,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
        "NO_COLOR": "1",
    }


def _run(cwd: Path, env: dict[str, str], *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == expect, f"{' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _local_hooks() -> dict[str, object]:
    """mlopsc's published hooks as local hooks that run the `mlopsc` on PATH."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = []
    for hook in hooks:
        assert hook["language"] == "python"
        local.append({**hook, "language": "unsupported"})
    return {"repos": [{"repo": "local", "hooks": local}]}


def test_a_new_user_from_quick_start_to_a_gitops_loop(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit")
    env = _env(tmp_path)
    mlopsc = str(BIN / "mlopsc")
    project = repo(tmp_path / "ml-deployments")

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        return _run(project, env, *args, expect=expect)

    # 1. quick start: the README's first command on the root example
    shutil.copyfile(ROOT / "mlops.yaml", project / "mlops.yaml")
    run(mlopsc, "compile", "mlops.yaml", "--out", "rendered")
    # 2. a second model, scaffolded into its folder
    run(mlopsc, "init", "models/churn/")
    assert "name: churn" in (project / "models/churn/mlops.yaml").read_text()
    run(mlopsc, "compile", ".", "--out", "rendered")
    run(mlopsc, "check", ".", "--out", "rendered")
    assert sorted(p.name for p in project.iterdir() if p.name != ".git") == ["mlops.yaml", "models", "rendered"]

    # 3. commit with the hooks installed
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(_local_hooks(), sort_keys=False))
    run(sys.executable, "-m", "pre_commit", "install")
    git(project, "add", "-A")
    run("git", "commit", "-q", "-m", "two models and their rendered tree")

    # 4. a bad edit is refused by the hooks, at its line, with a hint
    churn = project / "models/churn/mlops.yaml"
    good = churn.read_text()
    churn.write_text(good.replace("  name: churn", "\tname: churn", 1))
    git(project, "add", "-A")
    refused = run("git", "commit", "-q", "-m", "bad", expect=1)
    assert "models/churn/mlops.yaml:6:1: error[E003]: not valid YAML: a tab character" in refused.stderr, refused.stderr
    # 5. a real edit: the tree is stale until `check --fix`, then the commit goes through
    churn.write_text(good.replace("rps: 50", "rps: 400", 1))
    git(project, "add", "-A")
    stale = run("git", "commit", "-q", "-m", "churn: 400 rps", expect=1)
    assert "error[G001]" in stale.stderr and "--fix" in stale.stderr
    run(mlopsc, "check", ".", "--out", "rendered", "--fix")
    run(mlopsc, "check", ".", "--out", "rendered")
    git(project, "add", "-A")
    run("git", "commit", "-q", "-m", "churn: 400 rps")

    # 6. a rollout step, what it changes, and an approval
    moved = run(mlopsc, "rollout", "next", "mlops.yaml", "--env", "production")
    assert "from 5% to 25%" in moved.stderr
    run(mlopsc, "rollout", "next", "mlops.yaml", expect=2)  # two environments: --env is needed
    run(mlopsc, "compile", ".", "--out", "rendered")
    diff = run(mlopsc, "diff", "--base", "HEAD")
    assert "production/fraud-detection/kserve: canary 5% -> 25%" in diff.stdout
    assert "staging/" not in diff.stdout and "churn" not in diff.stdout
    approved = run(mlopsc, "approve", "mlops.yaml", "--env", "production", "--by", "risk@example.com", "--role", "risk")
    assert "approved production" in approved.stderr
    run(mlopsc, "compile", ".", "--out", "rendered")  # the spec changed: its files are rendered again
    run(mlopsc, "check", ".", "--out", "rendered")
    git(project, "add", "-A")
    run("git", "commit", "-q", "-m", "fraud-detection: canary 25% in production")

    # 7. a model removed: one --fix removes its files and its entries in the environment indexes
    git(project, "rm", "-r", "-q", "models/churn")
    orphaned = run(mlopsc, "check", ".", "--out", "rendered", expect=1)
    assert "error[G003]" in orphaned.stderr
    run(mlopsc, "check", ".", "--out", "rendered", "--fix")
    run(mlopsc, "check", ".", "--out", "rendered")
    assert not list((project / "rendered").glob("*/churn"))
    for index in (project / "rendered").glob("*/kustomization.yaml"):
        assert "churn" not in index.read_text()
    git(project, "add", "-A")
    run("git", "commit", "-q", "-m", "remove churn")
    assert git(project, "status", "--porcelain") == "", "nothing left over: no lock, no staging folder"
    assert run("git", "log", "--format=%s").stdout.splitlines()[0] == "remove churn"
