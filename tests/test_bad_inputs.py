"""Every bad input gets exactly the expected diagnostic (code and line:col), exit 1 from the CLI,
no traceback, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler.diagnostics import sort_diagnostics
from mlopsc.compiler.ir import Options
from mlopsc.compiler.passes import run
from tests.bad_inputs import BASE, CASES, Bad


def test_base_is_valid() -> None:
    ir = run("mlops.yaml", BASE.encode(), Options())
    assert [d for d in ir.diagnostics if d.is_error] == []


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_diagnostic_code_and_position(case: Bad) -> None:
    ir = run("mlops.yaml", case.raw, Options(environments=case.env))
    errors = [d for d in sort_diagnostics(ir.diagnostics) if d.is_error]  # the order users see
    assert errors, f"{case.id}: no error"
    first = errors[0]
    got = (first.code, first.line, first.col)
    assert got == (case.code, case.line, case.col), f"{case.id}: {first}"
    assert case.message in first.message, f"{case.id}: {first.message}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_exit_1_no_traceback_nothing_written(
    case: Bad, tmp_path: Path, cli_run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 1 for an error in the input; 2 for a usage error only the spec can find (`--env` naming an
    environment it does not define: positioned, with the choices)."""
    from mlopsc.compiler.cli import USAGE_CODES

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlops.yaml").write_bytes(case.raw)
    args = ["compile", "mlops.yaml", "--out", "out"] + [a for e in case.env for a in ("--env", e)]
    result = cli_run(args, expect=2 if case.code in USAGE_CODES else 1)
    assert "Traceback" not in result.output
    assert f"error[{case.code}]" in result.stderr
    if case.line:
        assert f"mlops.yaml:{case.line}:{case.col}: error[{case.code}]" in result.stderr
    assert not (tmp_path / "out").exists()
