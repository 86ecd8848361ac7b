"""A rule or target that raises becomes one E900 diagnostic (exit 1), never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from click.testing import Result

from mlopsc.compiler.ir import Options
from mlopsc.compiler.passes import run
from mlopsc.compiler.rules.latency import LatencyClass
from mlopsc.targets.kserve.target import KServe
from tests.bad_inputs import BASE


@pytest.mark.parametrize(
    ("patched", "expected"),
    [
        ((LatencyClass, "apply"), "decision rule R003 crashed: ZeroDivisionError: boom"),
        ((KServe, "resolve"), "target kserve (resolving) crashed: ZeroDivisionError: boom"),
        ((KServe, "emit"), "target kserve (emitting) crashed: ZeroDivisionError: boom"),
    ],
    ids=["rule", "resolve", "emit"],
)
def test_crash_is_a_diagnostic(patched: tuple[type, str], expected: str) -> None:
    with mock.patch.object(*patched, side_effect=ZeroDivisionError("boom")):
        ir = run("mlops.yaml", BASE.encode(), Options(targets=("kserve",)))
    assert [(d.code, d.message) for d in ir.diagnostics if d.is_error] == [("E900", expected)]


def test_cli_crash_exits_1_without_traceback(
    tmp_path: Path, cli_run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mlops.yaml").write_text(BASE, encoding="utf-8")
    with mock.patch.object(KServe, "emit", side_effect=RuntimeError("boom")):
        result = cli_run(["compile", "mlops.yaml", "--out", "out", "--target", "kserve"], expect=1)
    assert "error[E900]" in result.stderr and "Traceback" not in result.output
    assert not Path("out").exists()
