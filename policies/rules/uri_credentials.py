"""SEC003: no user:password@ in a URI of mlops.yaml."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.secret_scan import scan_value
from mlopsc.policies.walk import strings


class UriCredentials(RuleInfo):
    id: ClassVar[str] = "SEC003"
    title: ClassVar[str] = "No credentials in URIs"
    description: ClassVar[str] = (
        "A URI in the spec must not carry a password in its user-info (`scheme://user:password@host`): the "
        "URI is copied into platform configuration, logs and consoles, where anyone who can read them reads "
        "the password (RFC 3986 deprecates the form for this reason). Placeholders that a tool substitutes "
        "(`${VAR}`, `$(VAR)`, `{{ x }}`, `<password>`, `***`) are not findings. A known token used as the "
        "password (a GitHub token, say) is reported once, by SEC001."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check_document(self, document: Mapping[str, object], ctx: PolicyContext) -> Iterator[Finding]:
        for text in strings(document):
            for hit in scan_value(text.value, text.key):
                if hit.detector != "url-credentials":
                    continue
                yield Finding(
                    f"URI with a password in it (`scheme://user:password@host`, fingerprint {hit.fingerprint})",
                    text.path,
                    "remove the user-info; give the credential to the platform as a secret reference "
                    "(`secrets:`) or use the platform's identity (service account, role)",
                    hit.fingerprint,
                    at_key=text.is_key,
                )
