"""`mlopsc rollout next|promote|abort`: the spec changes on the traffic line only, and the rendered
difference of such a commit is exactly the traffic change."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler.gitops.rollout import RolloutError, plan_move
from tests.gitops_fixtures import ROOT, kserve_spec

Run = Callable[..., Result]


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "mlops.yaml"
    path.write_text(kserve_spec(), encoding="utf-8")
    return path


def test_next_adds_the_environment_override_on_one_line_and_keeps_comments(spec: Path, cli_run: Run) -> None:
    before = spec.read_text()
    result = cli_run(["rollout", "next", "mlops.yaml", "--env", "production"], expect=0)
    assert "from 5% to 25% at environments.production.rollout.traffic" in result.stderr
    after = spec.read_text()
    # staging inherits the base traffic, so production gets its own: one line changes, nothing else
    assert _changed_lines(before, after) == ["-  production: {}", "+  production: {rollout: {traffic: 25}}"]
    cli_run(["rollout", "next", "mlops.yaml", "--env", "production"], expect=0)
    assert _changed_lines(after, spec.read_text()) == [
        "-  production: {rollout: {traffic: 25}}",
        "+  production: {rollout: {traffic: 50}}",
    ]


def test_next_promote_abort_sequence(spec: Path, cli_run: Run) -> None:
    for expected in (25, 50, 100):
        cli_run(["rollout", "next", "mlops.yaml", "--env", "production"], expect=0)
        assert f"traffic: {expected}}}" in spec.read_text()
    last = cli_run(["rollout", "next", "mlops.yaml", "--env", "production"], expect=1)
    assert "is at 100%, the last of its steps" in last.stderr
    cli_run(["rollout", "abort", "mlops.yaml", "--env", "production"], expect=0)
    assert "production: {rollout: {traffic: 0}}" in spec.read_text()
    dry = cli_run(["rollout", "promote", "mlops.yaml", "--env", "production", "--dry-run"], expect=0)
    assert "would move `production` (canary) from 0% to 100%" in dry.stderr
    assert "traffic: 0}" in spec.read_text()
    cli_run(["rollout", "promote", "mlops.yaml", "--env", "production"], expect=0)
    assert "production: {rollout: {traffic: 100}}" in spec.read_text()


def test_an_existing_value_is_edited_in_place(spec: Path, cli_run: Run) -> None:
    text = spec.read_text().replace("  production: {}", "  production:\n    rollout:\n      traffic: 25   # step 2")
    spec.write_text(text)
    cli_run(["rollout", "next", "mlops.yaml", "--env", "production"], expect=0)
    assert _changed_lines(text, spec.read_text()) == ["-      traffic: 25   # step 2", "+      traffic: 50   # step 2"]


def test_without_environments_the_base_value_is_edited(tmp_path: Path) -> None:
    text = kserve_spec()
    text = text[: text.index("environments:")]
    path = tmp_path / "mlops.yaml"
    path.write_text(text)
    edit = plan_move(path, "next", None, "mlops.yaml")
    assert (edit.where, edit.old, edit.new) == ("rollout.traffic", 5, 25)
    assert _changed_lines(text, edit.text) == [
        "-  traffic: 5                       # where the rollout stands now: percent of traffic on this version",
        "+  traffic: 25                       # where the rollout stands now: percent of traffic on this version",
    ]


def test_all_at_once_and_unknown_environments_are_refused(spec: Path) -> None:
    with pytest.raises(RolloutError, match="all-at-once: there is no traffic to move"):
        plan_move(spec, "next", "staging", "mlops.yaml")
    with pytest.raises(RolloutError, match="no environment `qa`"):
        plan_move(spec, "next", "qa", "mlops.yaml")
    with pytest.raises(RolloutError, match="choose one with --env"):
        plan_move(spec, "next", None, "mlops.yaml")


def test_the_rendered_diff_of_a_rollout_step_is_exactly_the_traffic_change(spec: Path, cli_run: Run) -> None:
    cli_run(["compile", "mlops.yaml", "--out", "rendered"], expect=0)
    before = {p: p.read_text() for p in sorted(Path("rendered").rglob("*")) if p.is_file()}
    cli_run(["rollout", "next", "mlops.yaml", "--env", "production"], expect=0)
    stale = cli_run(["check", "mlops.yaml", "--out", "rendered"], expect=1)
    assert "G001" in stale.stderr
    cli_run(["check", "mlops.yaml", "--out", "rendered", "--fix"], expect=0)
    after = {p: p.read_text() for p in sorted(Path("rendered").rglob("*")) if p.is_file()}
    assert before.keys() == after.keys()
    changes = []
    for path, text in before.items():
        changes += [(path.as_posix(), line) for line in _changed_lines(text, after[path])]
    header = [c for c in changes if "Generated by mlopsc" in c[1]]
    body = [c for c in changes if "Generated by mlopsc" not in c[1]]
    assert header, "headers name the spec's new digest"
    assert body == [
        ("rendered/production/fraud-detection/kserve/inferenceservice.yaml", "-    canaryTrafficPercent: 5"),
        ("rendered/production/fraud-detection/kserve/inferenceservice.yaml", "+    canaryTrafficPercent: 25"),
    ]


def test_root_spec_layout_survives(tmp_path: Path) -> None:
    path = tmp_path / "mlops.yaml"
    path.write_text((ROOT / "mlops.yaml").read_text())
    edit = plan_move(path, "promote", "production", "mlops.yaml")
    assert _changed_lines(path.read_text(), edit.text) == [
        "-  production: {}",
        "+  production: {rollout: {traffic: 100}}",
    ]
