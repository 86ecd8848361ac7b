"""SEC002: no secret value in any rendered file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import RenderedFile
from mlopsc.policies.base import FileFinding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._secrets import what
from mlopsc.policies.secret_scan import SecretHit, scan_value
from mlopsc.policies.walk import keyed_strings, strings


class SecretsInOutput(RuleInfo):
    id: ClassVar[str] = "SEC002"
    title: ClassVar[str] = "No secret values in rendered files"
    description: ClassVar[str] = (
        "Every rendered file is scanned with the same detectors as SEC001 (including passwords in URIs): the "
        "structured files value by value (with the key each sits under, and the `name` of `{name, value}` env "
        "pairs), text files (scripts, Markdown) line by line. A secret that SEC001 or SEC003 already reported in "
        "the spec is not reported again for each rendered copy: fixing the spec fixes them all. What remains is "
        "a secret the compiler itself would have introduced, which is a bug to report."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check_file(self, file: RenderedFile, ctx: PolicyContext) -> Iterator[FileFinding]:
        if isinstance(file.body, dict | list):
            if not any(scan_value(value, key) for key, value in keyed_strings(file.body)):
                return  # the common case: no path is built for a clean file
            for text in strings(file.body):
                for hit in scan_value(text.value, text.key):
                    if hit.fingerprint not in ctx.spec_fingerprints:
                        yield FileFinding(_message(hit), text.path, _HINT, hit.fingerprint)
            return
        for number, line in enumerate(file.content.splitlines(), start=1):
            for hit in scan_value(line):
                if hit.fingerprint not in ctx.spec_fingerprints:
                    yield FileFinding(_message(hit), (), _HINT, hit.fingerprint, number)


def _message(hit: SecretHit) -> str:
    return f"secret value in a rendered file: {what(hit)} (fingerprint {hit.fingerprint})"


_HINT = "the spec does not hold this value: report it as an mlopsc bug with the spec; do not deploy the file"
