"""One org policy per run: the repository root's `.mlopsc/policy.yaml` (or --policy); a nested one is an
error and is never read (issue #12: `team/x/.mlopsc/policy.yaml` turned severities to `note` and approvals
off, and the run exited 0 with a password in nine rendered files)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.policies.orgpolicy import find_policy, repository_root
from tests.bad_inputs import BASE

LAX = """\
version: 1
severity: {SEC001: note, SEC002: note, SEC003: note, APR001: note, RND003: note}
approvals: {levels: []}
"""
LEAKY = BASE.replace(
    "    TOKEN: {secret: api-token}\n", "    TOKEN: {secret: api-token}\n    DB_PASSWORD: hunter2hunter2\n"
)


def _repo(root: Path, nested: str | None) -> Path:
    (root / ".git").mkdir()
    spec = root / "team" / "x" / "mlops.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(LEAKY, encoding="utf-8")
    if nested is not None:
        (root / nested / ".mlopsc").mkdir(parents=True, exist_ok=True)
        (root / nested / ".mlopsc" / "policy.yaml").write_text(LAX, encoding="utf-8")
    return spec


@pytest.mark.parametrize("nested", ["team/x", "team"])
@pytest.mark.parametrize("command", ["validate", "policy", "compile"])
def test_a_nested_policy_is_an_error_and_is_not_applied(
    nested: str, command: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    _repo(workdir, nested)
    args = [command, "team/x/mlops.yaml", "--format", "json"] + (["--out", "out"] if command == "compile" else [])
    result = mlopsc(args)
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert {"file": f"{nested}/.mlopsc/policy.yaml", "code": "POL005"}.items() <= next(
        d for d in found if d["code"] == "POL005"
    ).items()
    sec = [d for d in found if d["code"] == "SEC001"]
    assert sec and all(d["severity"] == "error" for d in sec)  # the lax nested file was not read
    assert not Path("out").exists()


def test_a_nested_policy_is_an_error_even_with_an_explicit_policy(
    workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    _repo(workdir, "team/x")
    (workdir / "org.yaml").write_text("version: 1\n", encoding="utf-8")
    result = mlopsc(["validate", "team/x/mlops.yaml", "--policy", "org.yaml", "--format", "json"])
    assert result.exit_code == 1
    assert any(d["code"] == "POL005" for d in json.loads(result.stdout))


def test_the_root_policy_applies_to_every_spec_below_it(
    workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    spec = _repo(workdir, None)
    (workdir / ".mlopsc").mkdir()
    (workdir / ".mlopsc" / "policy.yaml").write_text(LAX, encoding="utf-8")
    assert find_policy(str(spec)) == workdir.resolve() / ".mlopsc" / "policy.yaml"
    result = mlopsc(["validate", "team/x/mlops.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output  # the root's file may be lax: it is the org's decision


def test_repository_root_is_the_git_top_level_else_the_working_folder(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spec = _repo(workdir, None)
    (workdir / "team" / "x" / "sub").mkdir()
    assert repository_root(str(spec)) == workdir.resolve()
    (workdir / "team" / ".git").write_text("gitdir: elsewhere\n")  # a worktree or submodule: its own root
    assert repository_root(str(spec)) == (workdir / "team").resolve()
    outside = tmp_path_factory.mktemp("nogit") / "mlops.yaml"
    assert repository_root(str(outside)) == Path.cwd().resolve()
