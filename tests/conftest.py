"""Shared fixtures: the repository root, ../shared, a click runner that shows output on failure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with a clear message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is provided beside the repository in CI)")
    return path


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs at one fixed instant (the run's clock reads MLOPSC_NOW), in-process and in subprocesses."""
    from tests.fixed_clock import NOW_TEXT

    monkeypatch.setenv("MLOPSC_NOW", NOW_TEXT)


@pytest.fixture
def cli_run() -> Callable[..., Result]:
    """Invoke `mlopsc` in-process; on an unexpected exit code the assertion shows stdout and stderr."""
    from mlopsc.compiler.cli import cli

    def invoke(args: Sequence[str], expect: int | None = None) -> Result:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code}, expected {expect}\n--- stdout ---\n{result.stdout}\n"
                f"--- stderr ---\n{result.stderr}"
            )
        return result

    return invoke
