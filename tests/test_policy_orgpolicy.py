"""The org policy file: discovery, strict checking with positions, severities, waivers, signatures."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mlopsc.compiler.diagnostics import Severity
from mlopsc.policies import RULE_IDS
from mlopsc.policies.orgpolicy import find_policy, load_policy
from tests.policy_helpers import PROD, TODAY, findings, line_of, mutate

ROOT_SPEC = (Path(__file__).resolve().parents[1] / "mlops.yaml").read_text(encoding="utf-8")


def test_policy_is_found_walking_up_and_stops_at_the_git_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".mlopsc").mkdir()
    (tmp_path / ".mlopsc" / "policy.yaml").write_text("version: 1\n")
    spec = tmp_path / "models" / "fraud" / "mlops.yaml"
    spec.parent.mkdir(parents=True)
    assert find_policy(str(spec)) == tmp_path / ".mlopsc" / "policy.yaml"
    (tmp_path / "models" / ".git").mkdir()
    assert find_policy(str(spec)) is None


def test_malformed_policy_is_a_positioned_error_and_no_rule_runs(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = "version: 1\napprovals:\n  levels: [production]\n  max_age: 30\nseverity: {SEC999: error}\n"
    policy.write_text(text)
    found = findings(tmp_path, PROD, policy=policy)
    [d] = [d for d in found if d.code == "POL001"]
    assert (d.line, d.col) == (4, 3) and "unknown field `max_age`" in d.message and d.is_error
    assert not [d for d in found if d.code.startswith(("SEC", "APR", "PRD"))]


def test_severity_override(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("severity: {PRD011: error}\n")
    # the quick start encrypts Vertex AI with a key of its own: without it, PRD011 warns
    spec = re.sub(r"(?m)^    kms_key_name: projects/.*\n", "", ROOT_SPEC)
    assert spec != ROOT_SPEC
    [d] = findings(tmp_path, spec, "PRD011", policy=policy)
    assert d.severity is Severity.ERROR and d.is_error
    [d] = findings(tmp_path, spec, "PRD011")
    assert d.severity is Severity.WARNING


def _waiver(
    rule: str, expires: date, environment: str = "default", path: str = "", reason: str = "Agreed with risk."
) -> str:
    lines = [
        f"  - rule: {rule}",
        "    model: credit-scoring",
        f"    environment: {environment}",
        f"    reason: {reason}",
        "    owner: platform@example.com",
        "    ticket: RISK-7",
        f"    expires: {expires.isoformat()}",
    ]
    if path:
        lines.append(f"    path: {path}")
    return "\n".join(lines) + "\n"


NO_APPROVAL = PROD[: PROD.index("  approvals:\n")] + PROD[PROD.index("  model_card:\n") :]


def test_waiver_applied_stays_visible_and_does_not_fail(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("waivers:\n" + _waiver("APR001", TODAY + timedelta(days=30), path="governance"))
    [d] = findings(tmp_path, NO_APPROVAL, "APR001", policy=policy)
    assert d.severity is Severity.ERROR and not d.is_error
    assert d.suppressed.startswith("Agreed with risk.") and "RISK-7" in d.suppressed
    assert d.to_json()["suppressed"] == d.suppressed


def test_expired_too_long_malformed_and_unused_waivers(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = "waivers:\n" + "".join(
        [
            _waiver("APR001", TODAY - timedelta(days=1)),
            _waiver("APR001", TODAY + timedelta(days=91)),
            _waiver("APR001", TODAY + timedelta(days=5), reason="short"),
            _waiver("PRD004", TODAY + timedelta(days=5)),
        ]
    )
    policy.write_text(text)
    found = {d.code: d for d in findings(tmp_path, NO_APPROVAL, policy=policy)}
    assert found["APR001"].is_error  # fail closed: no valid waiver covers it
    assert found["POL002"].is_error and found["POL002"].line == line_of(text, (TODAY - timedelta(days=1)).isoformat())
    assert found["POL004"].is_error and "more than 90 days" in found["POL004"].message
    assert found["POL001"].is_error and "reason" in found["POL001"].message
    assert found["POL003"].severity is Severity.WARNING and "matched no finding" in found["POL003"].message
    assert found["POL003"].line == line_of(text, "  - rule: PRD004")


def test_waiver_of_unknown_rule_is_rejected() -> None:
    loaded = load_policy(None, RULE_IDS, TODAY)
    assert loaded.usable and loaded.policy.approvals.levels == ["production"]


# --- signed approvals ---------------------------------------------------------------------------------

needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")


def _key(tmp_path: Path, name: str) -> Path:
    key = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


@needs_ssh
def test_signed_approvals(tmp_path: Path) -> None:
    from mlopsc.policies.signatures import Subject, sign

    key, other = _key(tmp_path, "approver"), _key(tmp_path, "intruder")
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"risk-officer@example.com {key.with_suffix('.pub').read_text().strip()}\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"approvals:\n  require_signatures: true\n  allowed_signers: {signers}\n")
    [d] = findings(tmp_path, PROD, "APR002", policy=policy)
    assert "is not signed" in d.message and d.dotted_path() == "governance.approvals[0]"
    digest = re.search(r"^      digest: (\S+)", PROD[PROD.index("  approvals:") :], re.MULTILINE).group(1)  # type: ignore[union-attr]
    at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    subject = Subject(
        "credit-scoring", "default", digest, "model-risk", "risk-officer@example.com", at, date(2027, 1, 31)
    )
    good = sign(subject, key)
    line = f"      digest: {digest}"
    signed = mutate(line, f"      signature: {good}\n{line}")
    assert findings(tmp_path, signed, "APR002", policy=policy) == []
    assert findings(tmp_path, signed, "SEC001", policy=policy) == []  # a signature is not a secret (issue #12)
    forged = mutate(line, f"      signature: {sign(subject, other)}\n{line}")
    [d] = findings(tmp_path, forged, "APR002", policy=policy)
    assert d.line == line_of(forged, "      signature:") and "does not verify" in d.message
    moved = signed.replace("expires: 2027-01-31", "expires: 2027-02-01")  # the subject changed after signing
    [d] = findings(tmp_path, moved, "APR002", policy=policy)
    assert "does not verify" in d.message
    # the signature covers `at` (issue #12): a re-dated record, even to the same instant in UTC written
    # another way, is compared in UTC; a different instant no longer verifies
    same_instant = signed.replace("at: 2026-11-01T09:00:00Z", "at: 2026-11-01T10:00:00+01:00")
    assert findings(tmp_path, same_instant, "APR002", policy=policy) == []
    redated = signed.replace("at: 2026-11-01T09:00:00Z", "at: 2026-11-02T09:00:00Z")
    [d] = findings(tmp_path, redated, "APR002", policy=policy)
    assert "does not verify" in d.message
