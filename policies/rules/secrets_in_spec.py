"""SEC001: no secret value anywhere in mlops.yaml."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._secrets import HINT, what
from mlopsc.policies.secret_scan import scan_value
from mlopsc.policies.walk import strings


class SecretsInSpec(RuleInfo):
    id: ClassVar[str] = "SEC001"
    title: ClassVar[str] = "No secret values in mlops.yaml"
    description: ClassVar[str] = (
        "Every string of the spec as written (every field, every environment block, labels, env values and "
        "mapping keys) is scanned for known token formats (AWS, GCP service-account keys, Azure keys, connection "
        "strings and SAS tokens, GitHub, GitLab, Slack, Hugging Face, Weights & Biases, Databricks, OpenAI, "
        "Anthropic, Google, PyPI, npm, SendGrid and Stripe keys, private keys, JWTs, `password=` and "
        "`DB_PASSWORD=...` assignments, `--password X`, `mysql -pX` and `curl -u user:X` command lines, and base64 "
        "text that decodes to any of these) and for literal values, numbers included, under secret-looking keys "
        "(password, token, secret, api_key..., also when the secret word is not the last one: `PGPASSWORD`, "
        "`DB_PASSWORD_1`, `API_TOKEN_B64`; random-looking values under weaker keys such as credential or key; a "
        "list item after a flag such as `--password` is graded under that flag). References are not findings: "
        "`{secret: name}`, Secrets Manager ARNs, "
        "`projects/*/secrets/*`, Key Vault URLs, `${{ secrets.X }}`. The finding gives the path, the position and "
        "a fingerprint (the first 16 hex digits of the secret's SHA-256), never the value; no output of any command "
        "shows the value either (SECURITY.md, the redaction point). An approval's `signature` is public, not a "
        "secret. Passwords inside URIs "
        "are reported by SEC003."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check_document(self, document: Mapping[str, object], ctx: PolicyContext) -> Iterator[Finding]:
        for text in strings(document):
            if _is_approval_signature(text.path):
                continue  # an SSH signature is public (it proves, it does not grant): not a secret
            for hit in scan_value(text.value, text.key):
                if hit.detector == "url-credentials":
                    continue
                yield Finding(
                    f"secret value in the spec: {what(hit)} (fingerprint {hit.fingerprint})",
                    text.path,
                    HINT,
                    hit.fingerprint,
                    at_key=text.is_key,
                )


def _is_approval_signature(path: tuple[str | int, ...]) -> bool:
    """`governance.approvals[i].signature`, in the base or in an environment's override."""
    tail = path[2:] if path[:1] == ("environments",) else path
    return len(tail) == 4 and tail[0] == "governance" and tail[1] == "approvals" and tail[3] == "signature"
