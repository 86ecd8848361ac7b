"""SSH signatures over an approval's canonical subject, made and checked with `ssh-keygen -Y`.

The subject binds what was approved and when: model, environment, the deployment subject digest
(policies/subject.py: the artifact and every image, URI and command of the environment), role,
approver, the approval's time `at` (in UTC, so a re-dated record no longer verifies) and expiry. The
signer's identity is the approval's `by`: `ssh-keygen -Y verify -I <by>` accepts the signature only
when the allowed-signers file (named by the org policy) lists that principal with the signing key.
The signature is stored in mlops.yaml as one line of base64 (the armored body without its
BEGIN/END lines), so the record stays a flat mapping; it is re-armored before verification.

Only `mlopsc approve --sign-key` signs, and only policy checks verify: nothing else runs ssh-keygen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

NAMESPACE = "mlopsc-approval"
_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"
_TIMEOUT_S = 20


class SignatureError(Exception):
    """ssh-keygen is missing, or signing failed."""


@dataclass(frozen=True)
class Subject:
    model: str
    environment: str
    digest: str  # the deployment subject digest
    role: str
    by: str
    at: datetime
    expires: date | None

    def text(self) -> str:
        """The exact bytes signed: one `name: value` line each, in a fixed order, newline-terminated."""
        at = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            "mlopsc-approval-v2\n"
            f"model: {self.model}\n"
            f"environment: {self.environment}\n"
            f"digest: {self.digest}\n"
            f"role: {self.role}\n"
            f"by: {self.by}\n"
            f"at: {at}\n"
            f"expires: {self.expires.isoformat() if self.expires else 'none'}\n"
        )


def ssh_keygen() -> str | None:
    import shutil  # this module's imports are lazy: every policy run imports it, few sign or verify

    return shutil.which("ssh-keygen")


def sign(subject: Subject, key: Path) -> str:
    """Sign the subject with a private key file; return the one-line signature stored in mlops.yaml."""
    import subprocess

    exe = ssh_keygen()
    if exe is None:
        raise SignatureError("ssh-keygen is not installed: cannot sign the approval")
    result = subprocess.run(
        [exe, "-Y", "sign", "-f", str(key), "-n", NAMESPACE],
        input=subject.text().encode(),
        capture_output=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    armored = result.stdout.decode("ascii", "replace")
    if result.returncode != 0 or _BEGIN not in armored:
        raise SignatureError(f"ssh-keygen -Y sign failed: {result.stderr.decode(errors='replace').strip()}")
    return compact(armored)


def compact(armored: str) -> str:
    body = armored.split(_BEGIN, 1)[1].split(_END, 1)[0]
    return "".join(body.split())


def armor(one_line: str) -> str:
    body = "".join(one_line.split())
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join([_BEGIN, *lines, _END]) + "\n"


def verify(subject: Subject, signature: str, signer: str, allowed_signers: Path) -> str:
    """Check the signature; return "" when valid, else why not (in words, for the finding)."""
    import subprocess
    import tempfile

    exe = ssh_keygen()
    if exe is None:
        return "ssh-keygen is not installed, so the signature cannot be checked"
    if not allowed_signers.is_file():
        return f"the allowed-signers file {allowed_signers.as_posix()} does not exist"
    with tempfile.TemporaryDirectory(prefix="mlopsc-sig-") as tmp:
        sig = Path(tmp) / "approval.sig"
        sig.write_text(armor(signature), encoding="ascii")
        result = subprocess.run(
            [exe, "-Y", "verify", "-f", str(allowed_signers), "-I", signer, "-n", NAMESPACE, "-s", str(sig)],
            input=subject.text().encode(),
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    if result.returncode == 0:
        return ""
    detail = result.stderr.decode(errors="replace").strip().splitlines()
    return detail[-1] if detail else "ssh-keygen -Y verify rejected it"
