"""The three script injections of issue #12, reproduced: each failed before the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.harness import render, run_everything, unexpected_calls
from tests.security.specs import AZURE_BATCH, FULL, VERTEX_BATCH, setter, with_value

pytestmark = pytest.mark.skipif(__import__("shutil").which("jq") is None, reason="the stubs log with jq")


def test_vertex_service_account_command_substitution(tmp_path: Path) -> None:
    hostile = "churn$(touch${IFS}PWNED)@acme.iam.gserviceaccount.com"
    spec = with_value(VERTEX_BATCH, setter("platforms", "vertex", "service_account", value=hostile))
    rendered = render(spec)
    if rendered.files:
        outcome = run_everything(rendered.files, tmp_path)
        assert outcome.pwned() == []
    [error] = rendered.errors
    assert error.code.startswith("E1") and error.line >= 1 and error.col > 1
    assert "service account" in (error.hint or "") + error.message


@pytest.mark.parametrize(
    "folder",
    [
        "team\ntouch PWNED\n",
        "team\rimport os; os.mkdir('PWNED')\r",
        "team\nimport os; os.mkdir('PWNED')\n#",
        "team\n$(touch PWNED)\n",
    ],
    ids=["sh-newline", "py-carriage-return", "py-newline", "sh-substitution"],
)
def test_spec_path_newline_in_headers(tmp_path: Path, folder: str) -> None:
    rendered = render(FULL, path=f"{folder}/mlops.yaml")
    assert rendered.errors == []
    assert any(f.path.endswith(".py") for f in rendered.files)
    outcome = run_everything(rendered.files, tmp_path, deployed=("1002000000",))
    assert outcome.pwned() == []
    failed = [(name, code, err[-300:]) for name, code, err in outcome.results if code != 0]
    assert failed == []
    assert unexpected_calls(outcome.calls) == []


def test_azure_batch_schedule_newline_leaves_the_comment(tmp_path: Path) -> None:
    spec = with_value(AZURE_BATCH, setter("serving", "batch", "schedule", value="0 2 * *\n*"))
    rendered = render(spec)
    if rendered.files:
        outcome = run_everything(rendered.files, tmp_path)
        failed = [(name, code, err[-300:]) for name, code, err in outcome.results if code != 0]
        assert failed == []
    [error] = rendered.errors
    assert error.code.startswith("E1") and error.line >= 1
