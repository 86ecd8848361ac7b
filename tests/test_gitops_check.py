"""`mlopsc check`: clean after compile; differs, missing and orphaned files reported with a diff; --fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler.gitops.tree import Scope, generated_files, has_header, sidecar_names
from tests.gitops_fixtures import kserve_spec

Run = Callable[..., Result]


@pytest.fixture
def compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_run: Run) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlops.yaml").write_text(kserve_spec(), encoding="utf-8")
    cli_run(["compile", "mlops.yaml", "--out", "rendered"], expect=0)
    return tmp_path / "rendered"


def test_check_is_clean_right_after_compile(compiled: Path, cli_run: Run) -> None:
    result = cli_run(["check", "mlops.yaml", "--out", "rendered"], expect=0)
    assert result.stdout == ""
    assert "rendered is up to date (" in result.stderr


def test_differs_missing_and_orphaned_are_errors_with_a_unified_diff(compiled: Path, cli_run: Run) -> None:
    isvc = compiled / "production/fraud-detection/kserve/inferenceservice.yaml"
    isvc.write_text(isvc.read_text().replace("canaryTrafficPercent: 5", "canaryTrafficPercent: 7"))
    (compiled / "staging/fraud-detection/kserve/dashboard.yaml").unlink()
    gone = compiled / "production/old-model/kserve"
    gone.mkdir(parents=True)
    (gone / "inferenceservice.yaml").write_text(isvc.read_text())
    (compiled / "production/notes.md").write_text("# our notes, not generated\n")
    result = cli_run(["check", "mlops.yaml", "--out", "rendered"], expect=1)
    diff = result.stdout
    assert "--- rendered/production/fraud-detection/kserve/inferenceservice.yaml\n" in diff
    assert "+++ rendered/production/fraud-detection/kserve/inferenceservice.yaml\n" in diff
    assert "-    canaryTrafficPercent: 7\n+    canaryTrafficPercent: 5\n" in diff
    assert "+++ rendered/staging/fraud-detection/kserve/dashboard.yaml\n" in diff
    assert "--- rendered/production/old-model/kserve/inferenceservice.yaml\n" in diff
    line = isvc.read_text().splitlines().index("    canaryTrafficPercent: 7") + 1
    err = result.stderr
    assert f"rendered/production/fraud-detection/kserve/inferenceservice.yaml:{line}:1: error[G001]" in err
    assert "rendered/staging/fraud-detection/kserve/dashboard.yaml: error[G002]" in err
    assert "rendered/production/old-model/kserve/inferenceservice.yaml:1:1: error[G003]" in err
    assert "notes.md" not in err + diff
    assert "3 errors" in err


def test_fix_rewrites_prunes_orphans_and_keeps_foreign_files(compiled: Path, cli_run: Run) -> None:
    before = {p: p.read_bytes() for p in compiled.rglob("*") if p.is_file()}
    isvc = compiled / "production/fraud-detection/kserve/inferenceservice.yaml"
    isvc.write_text(isvc.read_text().replace("minReplicas: 2", "minReplicas: 9"))
    orphan_env = compiled / "qa"
    (orphan_env / "fraud-detection/kserve").mkdir(parents=True)
    (orphan_env / "fraud-detection/kserve/inferenceservice.yaml").write_text(isvc.read_text())
    (orphan_env / "kustomization.yaml").write_text((compiled / "staging/kustomization.yaml").read_text())
    notes = compiled / "production/NOTES.md"
    notes.write_text("hand-written\n")
    cli_run(["check", "mlops.yaml", "--out", "rendered", "--fix"], expect=0)
    assert not orphan_env.exists(), "orphans pruned and the emptied folders removed"
    assert notes.read_text() == "hand-written\n"
    after = {p: p.read_bytes() for p in compiled.rglob("*") if p.is_file() and p != notes}
    assert after == before
    cli_run(["check", "mlops.yaml", "--out", "rendered"], expect=0)


def test_fix_refuses_to_drop_a_foreign_file_in_a_platform_folder(compiled: Path, cli_run: Run) -> None:
    folder = compiled / "production/fraud-detection/kserve"
    (folder / "patch.yaml").write_text("# a hand-written kustomize patch\n")
    isvc = folder / "inferenceservice.yaml"
    isvc.write_text(isvc.read_text().replace("minReplicas: 2", "minReplicas: 9"))
    result = cli_run(["check", "mlops.yaml", "--out", "rendered", "--fix"], expect=1)
    assert "error[G004]" in result.stderr and "patch.yaml" in result.stderr
    assert "minReplicas: 9" in isvc.read_text(), "nothing was written"
    assert (folder / "patch.yaml").exists()


def test_a_stale_check_needs_every_spec_and_scope_narrows_it(compiled: Path, cli_run: Run) -> None:
    cli_run(["check", "mlops.yaml", "--out", "rendered", "--env", "staging"], expect=0)
    cli_run(["check", "mlops.yaml", "--out", "rendered", "--target", "kserve"], expect=0)
    assert set(generated_files(compiled, Scope(frozenset({"staging"})))) == {
        p.relative_to(compiled).as_posix() for p in (compiled / "staging").rglob("*") if p.is_file()
    }


def test_json_output_lists_the_drift_as_diagnostics(compiled: Path, cli_run: Run) -> None:
    (compiled / "staging/kustomization.yaml").unlink()
    result = cli_run(["check", "mlops.yaml", "--out", "rendered", "--format", "json"], expect=1)
    assert '"code": "G002"' in result.stdout
    assert "+++ rendered/staging/kustomization.yaml" in result.stderr


@pytest.mark.parametrize(
    ("head", "name", "generated"),
    [
        ("# Generated by mlopsc 0.1.0 from mlops.yaml\nkind: X\n", "a.yaml", True),
        ("<!-- Generated by mlopsc 0.1.0 -->\n# t\n", "README.md", True),
        ("#!/usr/bin/env bash\n# Generated by mlopsc 0.1.0\n", "apply.sh", True),
        ("kind: X\n# Generated by mlopsc 0.1.0\n", "a.yaml", False),
        ("# mine\n", "a.yaml", False),
    ],
)
def test_generated_header(head: str, name: str, generated: bool) -> None:
    assert has_header(head, name) is generated


def test_json_is_generated_only_when_its_generated_sidecar_lists_it(tmp_path: Path) -> None:
    (tmp_path / "GENERATED.txt").write_text("Generated by mlopsc 0.1.0 from x\n\nfiles (sha256):\n  a.json  abc\n")
    (tmp_path / "a.json").write_text("{}\n")
    (tmp_path / "b.json").write_text("{}\n")
    assert sidecar_names((tmp_path / "GENERATED.txt").read_text()) == {"a.json"}
    assert set(generated_files(tmp_path)) == {"GENERATED.txt", "a.json"}
    (tmp_path / "GENERATED.txt").write_text("mine\n  a.json  abc\n")
    assert set(generated_files(tmp_path)) == set()
