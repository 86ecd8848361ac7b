"""`--format github`: a spec value or path cannot forge a workflow command (issue #12).

The runner reads a line as a command when, leading blanks trimmed, it starts with `::` (actions/runner
`ActionCommand.TryParseV2`), or holds `##[` (v1, `TryParse`). Every line mlopsc prints must be one of its own
annotations (`::error|warning|notice <props>::<data>` with data and properties escaped per actions/toolkit
`command.ts`) or a plain line that is neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler.formats.github import log_line
from tests.bad_inputs import BASE

OWN = re.compile(r"::(error|warning|notice)(?: (?:[A-Za-z]+=[^,:]*)(?:,[A-Za-z]+=[^,:]*)*)?::[^\r\n]*")

HOSTILE = [
    "x\n::error file=app.py,line=1::forged annotation",
    "x\n::stop-commands::pwnd",
    "x\r\n::add-mask::y",
    "x\n  ::set-output name=a::b",
    "x\n##[error]v1 forged",
    "x %0A::error::pre-escaped",
    "::warning::at the start",
]


def _lines_are_safe(output: str) -> None:
    for line in output.splitlines():
        if line.lstrip().startswith("::"):
            assert OWN.fullmatch(line), f"a forged or malformed command: {line!r}"
            # a v2 command line is never also read as v1 (`TryParseV2` first, `ActionCommandManager`)
            continue
        assert "##[" not in line, line


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_value_in_a_message_forges_no_command(
    value: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    quoted = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    spec = BASE.replace("type: classification", f'type: "{quoted}"')
    Path("mlops.yaml").write_text(spec, encoding="utf-8")
    result = mlopsc(["validate", "mlops.yaml", "--format", "github"])
    assert result.exit_code == 1
    _lines_are_safe(result.stdout)
    assert "forged" not in "".join(x for x in result.stdout.splitlines() if x.startswith("::") and "E1" not in x)


@pytest.mark.parametrize("folder", ["::stop-commands::pwnd", "::error::x", "##[error]x", "a,b:c"])
def test_a_hostile_folder_name_forges_no_command(
    folder: str, workdir: Path, mlopsc: Callable[[Sequence[str]], Result]
) -> None:
    Path(folder).mkdir()
    (Path(folder) / "mlops.yaml").write_text(BASE.replace("rps: 100", "rps: lots"), encoding="utf-8")
    result = mlopsc(["validate", folder, "--format", "github"])
    assert result.exit_code == 1
    _lines_are_safe(result.stdout)


def test_log_line_escapes_as_the_runner_reads() -> None:
    assert log_line("a\n::error::x") == "a%0A::error::x"
    assert log_line("::stop-commands::t") == "%3A%3Astop-commands::t"
    assert log_line("  ::x") == "  %3A%3Ax"
    assert log_line("50% ##[error]") == "50%25 ##%5Berror]"
