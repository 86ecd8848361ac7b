"""`mlopsc diff --base REF`: what a change does, per environment, model and platform, in a reviewer's words."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler.gitops.gitbase import Side, diff_against, traffic_of
from mlopsc.compiler.gitops.render import render
from mlopsc.compiler.ir import Options
from tests.gitops_fixtures import ROOT, commit_all, kserve_spec, rebind, repo

Run = Callable[..., Result]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = repo(tmp_path / "project")
    (root / "models/fraud").mkdir(parents=True)
    (root / "models/fraud/mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    commit_all(root, "base")
    monkeypatch.chdir(root)
    return root


def test_a_canary_step_is_one_line_per_platform(project: Path, cli_run: Run) -> None:
    spec = project / "models/fraud/mlops.yaml"
    spec.write_text(kserve_spec(traffic=25))
    result = cli_run(["diff", "--base", "HEAD"], expect=0)
    assert result.stdout == (
        "production/fraud-detection/kserve: canary 5% -> 25%\n"
        # staging is all-at-once: the traffic it inherits does not apply, so nothing renders differently
    )


def test_every_platform_of_the_root_spec_says_the_canary_step_in_one_line(tmp_path: Path) -> None:
    root = repo(tmp_path / "r")
    text = (ROOT / "mlops.yaml").read_text()  # its approval has no expiry: it compiles on any date
    (root / "mlops.yaml").write_text(text)
    commit_all(root)
    (root / "mlops.yaml").write_text(text.replace("  production: {}", "  production: {rollout: {traffic: 25}}"))
    platforms = [p for p in ("kserve", "sagemaker", "vertex", "azureml") if _renders(root, p)]
    assert "kserve" in platforms
    options = Options(targets=tuple(platforms))
    head = render((str(root / "mlops.yaml"),), options)
    side = Side(tuple(head.result.files), traffic_of(head.result.units), (), ())
    result, _ = diff_against("HEAD", (str(root / "mlops.yaml"),), options, side)
    # every platform whose files change says it in exactly one line, and says only that
    lines = [g.line() for g in result.groups]
    assert lines == [f"production/fraud-detection/{g.platform}: canary 5% -> 25%" for g in result.groups]
    assert len({g.platform for g in result.groups}) == len(lines)
    assert "production/fraud-detection/kserve: canary 5% -> 25%" in lines


def _renders(root: Path, platform: str) -> bool:
    return not render((str(root / "mlops.yaml"),), Options(targets=(platform,))).failed


def test_capacity_thresholds_alerts_and_images_are_named(project: Path, cli_run: Run) -> None:
    spec = project / "models/fraud/mlops.yaml"
    text = kserve_spec()
    text = text.replace("    rps: 500 ", "    rps: 1500 ").replace("p95_latency_ms: 150,", "p95_latency_ms: 200,")
    text = re.sub(r"\n  quality: .*\n", "\n", text).replace("triggers: [drift, quality]", "triggers: [drift]")
    text = text.replace("resources: {cpu: 2,", "resources: {cpu: 4,")
    spec.write_text(text)
    lines = cli_run(["diff", "--base", "HEAD", "models"], expect=0).stdout.splitlines()
    production = next(line for line in lines if line.startswith("production/fraud-detection/kserve: "))
    for phrase in (
        "max replicas 8 -> 23",
        "cpu 2 -> 4",
        "alert FraudDetectionLatencyHigh threshold 0.225 -> 0.3",  # seconds: Knative's histogram unit
    ):
        assert phrase in production
    assert "description" not in production, "prose that restates a value is not repeated"


def test_removed_alert_is_named(project: Path, cli_run: Run) -> None:
    spec = project / "models/fraud/mlops.yaml"
    text = kserve_spec().replace("slo: {p95_latency_ms: 150, error_rate: 0.01}", "slo: {error_rate: 0.01}")
    text = re.sub(r"\n    latency_ms: 150 .*\n", "\n", text)  # no latency target left: no latency alert
    spec.write_text(text.replace("rollback: {on: [latency_slo, error_rate]}", "rollback: {on: [error_rate]}"))
    result = cli_run(["diff", "--base", "HEAD", "models"], expect=0)
    lines = result.stdout.splitlines()
    production = next((line for line in lines if line.startswith("production/fraud-detection/kserve: ")), "")
    assert "removed alert FraudDetectionLatencyHigh" in production, lines


def test_new_and_removed_models(project: Path, cli_run: Run) -> None:
    other = project / "models/other/mlops.yaml"
    other.parent.mkdir()
    # another model: the approval is re-bound to its subject (the model's name is part of it)
    other.write_text(rebind(kserve_spec().replace("name: fraud-detection ", "name: churn-model     ", 1)))
    (project / "models/fraud/mlops.yaml").unlink()
    out = cli_run(["diff", "--base", "HEAD", "--env", "production"], expect=0).stdout
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert set(lines) == {
        "production/churn-model/kserve",
        "production/fraud-detection/kserve",
        "production/churn-model/registry",  # a model's registry entry and card come and go with it
        "production/fraud-detection/registry",
    }
    assert "new InferenceService churn-model" in lines["production/churn-model/kserve"]
    assert "removed InferenceService fraud-detection" in lines["production/fraud-detection/kserve"]


def test_markdown_and_json(project: Path, cli_run: Run) -> None:
    (project / "models/fraud/mlops.yaml").write_text(kserve_spec(traffic=50))
    md = cli_run(["diff", "--base", "HEAD", "--format", "markdown"], expect=0).stdout
    assert "#### `fraud-detection` in `production`" in md and "| kserve | canary 5% -> 50% |" in md
    data = json.loads(cli_run(["diff", "--base", "HEAD", "--format", "json"], expect=0).stdout)
    assert data["groups"][0]["changes"][0] == {
        "field": "rollout.traffic",
        "kind": "traffic",
        "new": 50,
        "old": 5,
        "text": "canary 5% -> 50%",
    }


def test_no_change_and_bad_ref(project: Path, cli_run: Run) -> None:
    assert cli_run(["diff", "--base", "HEAD"], expect=0).stdout == "no rendered change against HEAD\n"
    bad = cli_run(["diff", "--base", "no-such-ref"], expect=2)
    assert "no-such-ref does not name a commit" in bad.stderr
