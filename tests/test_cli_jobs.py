"""`--jobs N`: several specs compiled in worker processes give exactly what one process gives.

Same files and bytes, same diagnostics in the same order, same E115 (the first spec in discovery
order owns a model name), same exit codes; a worker that raises or dies is never a traceback or a hang.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from click.testing import Result

from mlopsc.compiler import driver
from mlopsc.compiler.driver import compile_paths
from mlopsc.compiler.ir import Options
from mlopsc.compiler.passes import run as real_run
from tests.bad_inputs import BASE
from tests.gitops_fixtures import ROOT, commit_all, kserve_spec, rebind, repo

Run = Callable[..., Result]
GOLDEN = ROOT / "golden"


def _variant(name: str, rps: int) -> str:
    return BASE.replace("name: fraud-model", f"name: {name}").replace("rps: 100", f"rps: {rps}")


def _write(folder: Path, specs: dict[str, str]) -> None:
    for rel, text in specs.items():
        (folder / rel).mkdir(parents=True, exist_ok=True)
        (folder / rel / "mlops.yaml").write_text(text, encoding="utf-8")


def _golden(folder: Path, *cases: str) -> None:
    for case in cases:
        (folder / case).mkdir(parents=True)
        shutil.copyfile(GOLDEN / case / "mlops.yaml", folder / case / "mlops.yaml")


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _both(cli_run: Run, args: list[str], out: str | None = None) -> tuple[Result, Result, dict[str, bytes]]:
    """Run `args` with --jobs 1 then --jobs 2 (into the same --out, emptied in between): both results,
    after asserting identical exit codes, stdout, stderr and rendered trees; the tree."""
    results: list[Result] = []
    trees: list[dict[str, bytes]] = []
    for jobs in ("1", "2"):
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
        results.append(cli_run([*args, "--jobs", jobs]))
        trees.append(_tree(Path(out)) if out is not None and Path(out).exists() else {})
    one, two = results
    assert (two.exit_code, two.stdout, two.stderr) == (one.exit_code, one.stdout, one.stderr)
    assert trees[0] == trees[1]
    return one, two, trees[0]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    _write(specs, {f"team{i}/model{i}": _variant(f"model-{i}", rps) for i, rps in enumerate((20, 100, 800, 2500))})
    _golden(specs, "ab-test", "azureml-canary", "sagemaker-blue-green", "vertex-canary", "environments", "minimal")
    yield specs


def test_compile_renders_the_same_bytes(folder: Path, cli_run: Run) -> None:
    one, _, tree = _both(cli_run, ["compile", "specs", "--out", "out"], out="out")
    assert one.exit_code == 0, one.stderr
    models = {path.split("/")[1] for path in tree if path.count("/") == 3}
    assert {"model-0", "model-3", "search-ranker", "credit-limit", "churn-score", "churn-model"} <= models
    assert "warning[" in one.stderr  # the diagnostics compared above are not empty


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize("command", ["validate", "policy"])
def test_validate_and_policy_report_the_same(folder: Path, cli_run: Run, command: str, fmt: str) -> None:
    one, _, _ = _both(cli_run, [command, "specs", "--format", fmt])
    assert one.exit_code == 0, one.stderr


def test_check_reports_the_same_drift(folder: Path, cli_run: Run) -> None:
    cli_run(["compile", "specs", "--out", "out", "--jobs", "1"], expect=0)
    one, _, _ = _both(cli_run, ["check", "specs", "--out", "out"])
    assert one.exit_code == 0 and "is up to date" in one.stderr
    spec = folder / "team1/model1/mlops.yaml"
    spec.write_text(spec.read_text().replace("rps: 100", "rps: 900"), encoding="utf-8")
    one, _, _ = _both(cli_run, ["check", "specs", "--out", "out"])
    assert one.exit_code == 1 and "model-1" in one.stdout


def test_a_bad_spec_among_good_ones(folder: Path, cli_run: Run) -> None:
    _write(folder, {"broken": _variant("broken-model", 100).replace("rps: 100", "rps: lots")})
    (folder / "huge").mkdir()
    (folder / "huge/mlops.yaml").write_bytes(b"#" * 1_000_001)  # E010, reported from a stat
    for fmt in ("text", "json"):
        one, _, tree = _both(cli_run, ["compile", "specs", "--out", "out", "--format", fmt], out="out")
        assert one.exit_code == 1 and not tree
    one, _, _ = _both(cli_run, ["validate", "specs"])
    assert "specs/broken/mlops.yaml:21:16: error[E103]: `rps` must be a number" in one.stderr
    assert "specs/huge/mlops.yaml: error[E010]: the file is 1,000,001 bytes" in one.stderr
    assert one.exit_code == 1 and one.stderr.splitlines()[-1].startswith("2 errors, ")


def test_two_specs_sharing_a_model_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_run: Run) -> None:
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    _write(specs, {"a": _variant("shared", 100), "b": _variant("other", 200), "c": _variant("shared", 300)})
    # claims-triage three times, fraud-detection twice
    _golden(specs, "azureml-blue-green", "sagemaker-batch", "vertex-blue-green", "sagemaker-shadow")
    _golden(specs, "sagemaker-canary-rollback", "sagemaker-environments")
    for fmt in ("text", "json"):
        one, _, tree = _both(cli_run, ["compile", "specs", "--out", "out", "--format", fmt], out="out")
        assert one.exit_code == 1 and not tree
        assert one.output.count("E115") == 4, one.output
    one, _, _ = _both(cli_run, ["validate", "specs"])
    assert "model `shared` is also defined by specs/a/mlops.yaml" in one.stderr
    assert "model `claims-triage` is also defined by specs/azureml-blue-green/mlops.yaml" in one.stderr


def test_diff_says_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_run: Run) -> None:
    root = repo(tmp_path / "project")
    names = ("fraud-detection", "fraud-scoring", "chargeback")
    # each model's approval re-bound to its own subject (the model's name is part of it)
    _write(
        root, {f"models/{n}": rebind(kserve_spec().replace("name: fraud-detection", f"name: {n}", 1)) for n in names}
    )
    commit_all(root, "base")
    monkeypatch.chdir(root)
    for n, traffic in (("fraud-scoring", 25), ("chargeback", 50)):
        (root / f"models/{n}/mlops.yaml").write_text(
            rebind(kserve_spec(traffic).replace("name: fraud-detection", f"name: {n}", 1)), encoding="utf-8"
        )
    one, _, _ = _both(cli_run, ["diff", "--base", "HEAD"])
    assert one.exit_code == 0
    assert (
        one.stdout
        == "production/chargeback/kserve: canary 5% -> 50%\nproduction/fraud-scoring/kserve: canary 5% -> 25%\n"
    )
    for fmt in ("markdown", "json"):
        one, _, _ = _both(cli_run, ["diff", "--base", "HEAD", "--format", fmt])
        assert one.exit_code == 0 and "50%" in one.stdout


def test_jobs_0_means_every_usable_cpu_and_negative_is_refused(folder: Path, cli_run: Run) -> None:
    seen: list[int] = []

    def pool(specs: list[driver._Task], options: Options, until: str, bodies: bool, workers: int) -> object:
        seen.append(workers)
        return {}  # every spec is then compiled in-process

    with mock.patch.object(driver, "_compile_in_pool", pool), mock.patch.object(driver, "usable_cpus", lambda: 3):
        cli_run(["validate", "specs", "--jobs", "0"], expect=0)
        cli_run(["validate", "specs"], expect=0)
    assert seen == [3, 3]
    assert "--jobs" in cli_run(["compile", "specs", "--jobs", "-1"], expect=2).stderr


def test_one_spec_or_between_stays_in_process(folder: Path, cli_run: Run) -> None:
    def pool(*args: object) -> object:
        raise AssertionError("no pool for one spec")

    with mock.patch.object(driver, "_compile_in_pool", pool):
        cli_run(["compile", "specs/minimal", "--out", "out", "--jobs", "2"], expect=0)
        seen: list[str] = []
        result = compile_paths(("specs",), Options(), between=lambda name, ir: seen.append(name), jobs=2)
    assert not result.failed and len(result.units) == 10 and "emit" in seen


def test_parallel_runs_return_summaries_not_units(folder: Path) -> None:
    one = compile_paths(("specs",), Options(), jobs=1)
    two = compile_paths(("specs",), Options(), jobs=2, bodies=False)
    assert len(one.units) == 10 and two.units == []
    assert one.plans == two.plans and len(one.plans) > 10
    assert one.diagnostics == two.diagnostics and one.sources == two.sources
    assert [(f.path, f.content) for f in one.files] == [(f.path, f.content) for f in two.files]
    assert all(f.body is None for f in two.files) and any(f.body is not None for f in one.files)


def _crashing_run(victim: str, where: str, parent: int) -> Callable[..., object]:
    """`run` that raises (`where` "raise") or kills its process ("die") for the spec `victim`, in
    workers only (`parent` is the test's process id) or everywhere ("raise-everywhere")."""

    def patched(name: str, raw: bytes, options: Options, **kwargs: object) -> object:
        if name.endswith(f"/{victim}/mlops.yaml"):
            if where == "die" and os.getpid() != parent:
                os._exit(3)
            if where == "raise-everywhere" or (where == "raise" and os.getpid() != parent):
                raise ValueError(f"boom in {name}")
        return real_run(name, raw, options, **kwargs)  # type: ignore[arg-type]

    return patched


def test_a_worker_that_dies_is_an_e900_on_its_spec_only(folder: Path, cli_run: Run) -> None:
    baseline = cli_run(["validate", "specs", "--format", "json", "--jobs", "1"], expect=0).stdout
    with mock.patch.object(driver, "run", _crashing_run("model2", "die", os.getpid())):
        result = cli_run(["validate", "specs", "--format", "json", "--jobs", "2"], expect=1)
        text = cli_run(["compile", "specs", "--out", "out", "--jobs", "2"], expect=1)
    assert "Traceback" not in text.output and not Path("out").exists()
    assert "specs/team2/model2/mlops.yaml: error[E900]: internal error: the process compiling this spec died" in (
        text.stderr
    )
    got = json.loads(result.stdout)
    want = json.loads(baseline)
    died = [d for d in got if d["file"].endswith("team2/model2/mlops.yaml")]
    assert [d["code"] for d in died] == ["E900"]
    assert [d for d in got if d not in died] == [d for d in want if not d["file"].endswith("team2/model2/mlops.yaml")]


def test_a_spec_that_raises_only_in_a_worker_is_compiled_again_in_process(folder: Path, cli_run: Run) -> None:
    with mock.patch.object(driver, "run", _crashing_run("model1", "raise", os.getpid())):
        one, _, _ = _both(cli_run, ["compile", "specs", "--out", "out"], out="out")
    assert one.exit_code == 0


def test_a_spec_that_raises_is_reported_on_its_file_the_same_with_any_jobs(folder: Path, cli_run: Run) -> None:
    """Issue #12: a crash in one spec names the file (E900) and never hides the other specs' diagnostics;
    with workers the spec is compiled again in-process and reported the same way."""
    with mock.patch.object(driver, "run", _crashing_run("model1", "raise-everywhere", os.getpid())):
        outputs = []
        for jobs in ("1", "2"):
            result = cli_run(["compile", "specs", "--out", "out", "--jobs", jobs, "--format", "json"], expect=1)
            found = json.loads(result.stdout)
            crash = [d for d in found if d["code"] == "E900"]
            assert [(d["file"], d["line"]) for d in crash] == [("specs/team1/model1/mlops.yaml", 0)]
            assert "ValueError: boom in specs/team1/model1/mlops.yaml" in crash[0]["message"]
            outputs.append(result.stdout)
        assert outputs[0] == outputs[1]
    assert not Path("out").exists()


def test_units_false_lets_the_ir_go_and_changes_nothing_else() -> None:
    paths = (str(ROOT / "mlops.yaml"),)
    kept = compile_paths(paths, Options())
    let_go = compile_paths(paths, Options(), units=False)
    assert kept.units and not let_go.units
    assert [(f.path, f.content) for f in kept.files] == [(f.path, f.content) for f in let_go.files]
    assert kept.diagnostics == let_go.diagnostics and kept.plans == let_go.plans
