"""`mlopsc approve` appends exactly one record and changes nothing else in a commented file."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.policy_helpers import PROD, findings

Run = Callable[..., Result]
ROOT_SPEC = Path(__file__).resolve().parents[1] / "mlops.yaml"
NO_APPROVAL = PROD[: PROD.index("  approvals:\n")] + PROD[PROD.index("  model_card:\n") :]


def _subject(path: Path, environment: str) -> str:
    """The deployment subject digest `mlopsc approve` binds (policies/subject.py), from the effective spec."""
    from mlopsc.compiler.ir import Options, Validated
    from mlopsc.compiler.passes import run
    from mlopsc.policies.subject import subject_digest

    ir = run("mlops.yaml", path.read_bytes(), Options(environments=(environment,)), until="validate")
    assert isinstance(ir, Validated)
    return subject_digest(ir.environments[0].spec, environment)


def _added(before: str, after: str) -> list[str]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    assert not [line for line in diff if line.startswith("- ")], "a line was changed or removed"
    return [line[2:] for line in diff if line.startswith("+ ")]


def test_round_trip_of_the_commented_root_spec(tmp_path: Path, cli_run: Run) -> None:
    spec = tmp_path / "mlops.yaml"
    before = ROOT_SPEC.read_text(encoding="utf-8")
    spec.write_text(before, encoding="utf-8")
    cli_run(
        [
            "approve",
            str(spec),
            "--env",
            "production",
            "--by",
            "dan@example.com",
            "--role",
            "model-risk",
            "--ticket",
            "CHG-77",
            "--expires",
            "2027-01-15",
        ],
        expect=0,
    )
    added = _added(before, spec.read_text(encoding="utf-8"))
    assert added[0] == "    - environment: production"
    assert added[1:3] == ["      by: dan@example.com", "      role: model-risk"]
    assert added[3].startswith("      at: 20") and added[3].endswith("Z")
    assert added[4:] == [
        "      expires: 2027-01-15",
        "      ticket: CHG-77",
        f"      digest: {_subject(ROOT_SPEC, 'production')}",
    ]


def test_approve_creates_the_list_and_the_spec_then_passes(tmp_path: Path, cli_run: Run) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(NO_APPROVAL, encoding="utf-8")
    assert findings(tmp_path, NO_APPROVAL, "APR001")
    cli_run(
        [
            "approve",
            str(spec),
            "--env",
            "default",
            "--by",
            "risk@example.com",
            "--role",
            "model-risk",
            "--expires",
            "2026-12-20",
        ],
        expect=0,
    )
    after = spec.read_text(encoding="utf-8")
    assert _added(NO_APPROVAL, after)[0] == "  approvals:"
    assert findings(tmp_path, after, "APR001") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "nowhere", "--by", "a@example.com", "--role", "r"], "E111"),
        (["--env", "default", "--by", "not-an-email", "--role", "r"], "email"),
        (["--env", "default", "--by", "a@example.com", "--role", "r", "--expires", "2001-01-01"], "in the past"),
    ],
)
def test_approve_refuses(tmp_path: Path, cli_run: Run, args: list[str], message: str) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(NO_APPROVAL, encoding="utf-8")
    result = cli_run(["approve", str(spec), *args], expect=1)
    assert message in result.stderr
    assert spec.read_text(encoding="utf-8") == NO_APPROVAL


def test_signed_approve(tmp_path: Path, cli_run: Run) -> None:
    import shutil
    import subprocess

    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"risk@example.com {key.with_suffix('.pub').read_text().strip()}\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"approvals:\n  require_signatures: true\n  allowed_signers: {signers}\n")
    spec = tmp_path / "mlops.yaml"
    spec.write_text(NO_APPROVAL, encoding="utf-8")
    cli_run(
        [
            "approve",
            str(spec),
            "--env",
            "default",
            "--by",
            "risk@example.com",
            "--role",
            "model-risk",
            "--expires",
            "2026-12-20",
            "--sign-key",
            str(key),
        ],
        expect=0,
    )
    after = spec.read_text(encoding="utf-8")
    assert "      signature: " in after
    assert findings(tmp_path, after, policy=policy) == [
        d for d in findings(tmp_path, after, policy=policy) if not d.code.startswith("APR")
    ]
