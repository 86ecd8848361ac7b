"""SARIF 2.1.0 for code scanning: one run, the rules' metadata, one result per diagnostic.

* Every policy rule is listed in `tool.driver.rules` (a stable rule set); other codes are added when
  they occur, with metadata from `catalogue.code_info`.
* `partialFingerprints["mlopsc/v1"]`: the diagnostic's fingerprint (a secret's SHA-256 prefix, or a hash
  of rule, file, environment, path and message), so results match across runs when lines move.
* Security rules carry `properties["security-severity"]` (GitHub: 9.0+ critical, 7.0+ high, 4.0+ medium)
  and the `security` tag.
* Waived findings stay in the log with `suppressions: [{kind: external, justification}]`.
* A diagnostic without a position (line 0) has a location without region.

Deterministic: no timestamps, no absolute paths; URIs are the diagnostics' relative file paths.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from mlopsc.compiler import __version__
from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.formats.catalogue import CodeInfo, code_info, policy_codes

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.NOTE: "2.0"}
FINGERPRINT_KEY = "mlopsc/v1"


def render_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    rules: list[CodeInfo] = policy_codes()
    index = {info.id: i for i, info in enumerate(rules)}
    for code in sorted({d.code for d in diagnostics} - set(index)):
        index[code] = len(rules)
        rules.append(code_info(code))
    results = [_result(d, index[d.code]) for d in diagnostics]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlopsc",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/mlopsc/mlopsc",
                        "rules": [_rule(info) for info in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _rule(info: CodeInfo) -> dict[str, object]:
    rule: dict[str, object] = {
        "id": info.id,
        "name": "".join(w[:1].upper() + w[1:] for w in info.title.replace("-", " ").split() if w.isalnum()) or info.id,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.description},
        "help": {"text": info.description},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": LEVELS[info.default_severity]},
    }
    if info.security:
        rule["properties"] = {
            "tags": ["security"],
            "security-severity": SECURITY_SEVERITY[info.default_severity],
        }
    return rule


def _result(d: Diagnostic, rule_index: int) -> dict[str, object]:
    text = d.text + (f"\nhint: {d.hint}" if d.hint else "")
    location: dict[str, object] = {"artifactLocation": {"uri": d.file}}
    if d.line > 0:
        region: dict[str, int] = {"startLine": d.line, "startColumn": max(d.col, 1)}
        if d.end_col > d.col:
            region["endColumn"] = d.end_col
        location["region"] = region
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": LEVELS[d.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT_KEY: d.fingerprint or _fingerprint(d)},
    }
    properties: dict[str, object] = {}
    if d.path:
        properties["path"] = d.dotted_path()
    if properties:
        result["properties"] = properties
    if d.suppressed:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": d.suppressed}]
    return result


def _fingerprint(d: Diagnostic) -> str:
    """For compiler diagnostics (no fingerprint of their own): code, file, path and message, not the line."""
    text = "\x1f".join((d.code, d.file, d.dotted_path(), d.text))
    return "mlopsc:" + hashlib.sha256(text.encode()).hexdigest()[:16]
