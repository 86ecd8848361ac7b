"""Hostile-input fixtures: secrets generated at run time (no literal token in the repository: GitHub push
protection would block the push), a spec to plant them in, and a runner of every command and format."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"

FORMATS = ("text", "json", "sarif", "github")


def token(alphabet: str, n: int, seed: int = 12) -> str:
    r = random.Random(f"{seed}-{alphabet}-{n}")
    return "".join(r.choice(alphabet) for _ in range(n))


def pem(seed: int = 1) -> str:
    body = "".join(token(B64, 64, seed + i) for i in range(4))
    return f"-----BEGIN RSA PRIVATE KEY-----{body}-----END RSA PRIVATE KEY-----"


def run_cli(args: Sequence[str]) -> Result:
    from mlopsc.compiler.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def mlopsc() -> Callable[[Sequence[str]], Result]:
    return run_cli


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path
