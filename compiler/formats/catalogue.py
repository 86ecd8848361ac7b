"""What each diagnostic code is, for SARIF rule metadata and annotation titles.

Policy rules and decision rules describe themselves; the other compiler codes are grouped by family
(E0xx reading, E1xx validation, target prefixes, E900), and the policy file's own codes are listed in
`mlopsc.policies.orgpolicy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlopsc.compiler.diagnostics import Severity


@dataclass(frozen=True)
class CodeInfo:
    id: str
    title: str
    description: str
    default_severity: Severity
    help_uri: str
    security: bool = False


REPO_DOCS = "https://github.com/mlopsc/mlopsc/blob/main/docs"


def policy_codes() -> list[CodeInfo]:
    """Every policy rule, in registry order (always listed in SARIF, so the rule set is stable)."""
    from mlopsc.policies import RULES

    return [CodeInfo(r.id, r.title, r.description, r.default_severity, r.help_uri, r.security) for r in RULES]


def code_info(code: str) -> CodeInfo:
    """Metadata for any code mlopsc reports."""
    from mlopsc.policies import rule_by_id
    from mlopsc.policies.orgpolicy import POLICY_CODES

    rule = rule_by_id(code)
    if rule is not None:
        return CodeInfo(rule.id, rule.title, rule.description, rule.default_severity, rule.help_uri, rule.security)
    if code in POLICY_CODES:
        severity = Severity.WARNING if code == "POL003" else Severity.ERROR
        return CodeInfo(code, "Org policy file", POLICY_CODES[code], severity, f"{REPO_DOCS}/policies.md#waivers")
    decision = _decision_rule(code)
    if decision is not None:
        return decision
    return _family(code)


def _decision_rule(code: str) -> CodeInfo | None:
    from mlopsc.compiler.rules import RULES

    for rule in RULES:
        if rule.id == code:
            return CodeInfo(code, rule.title, rule.description, Severity.ERROR, f"{REPO_DOCS}/decision-rules.md")
    return None


# `mlopsc check`'s codes (compiler/gitops/check.py): the rendered tree is stale.
_GITOPS: dict[str, tuple[str, str]] = {
    "G001": ("Stale rendered file", "A committed rendered file differs from what the specs render."),
    "G002": ("Missing rendered file", "The specs render a file that is not in the committed tree."),
    "G003": ("Orphaned rendered file", "mlopsc generated this file, but no spec renders it any more."),
    "G004": (
        "--fix blocked by a file mlopsc did not generate",
        "A hand-written file is where the rendered tree goes; --fix changed nothing.",
    ),
}


def _family(code: str) -> CodeInfo:
    if code in _GITOPS:
        title, description = _GITOPS[code]
        return CodeInfo(code, title, description, Severity.ERROR, f"{REPO_DOCS}/gitops.md")
    if code == "E900":
        return CodeInfo(
            code,
            "Internal error",
            "A rule, target or policy crashed; please report it.",
            Severity.ERROR,
            f"{REPO_DOCS}/ARCHITECTURE.md",
        )
    if code.startswith("REG") and code[3:].isdigit():
        return CodeInfo(
            code,
            "Registry entry",
            "The registry entry (registry.json) lacks a field the ModelRegistryMetadata standard requires.",
            Severity.WARNING,
            f"{REPO_DOCS}/spec.md#where-the-registry-entry-lands",
        )
    if code.startswith("E0"):
        return CodeInfo(
            code,
            "Reading the spec",
            "The file could not be read as one YAML document.",
            Severity.ERROR,
            f"{REPO_DOCS}/spec.md",
        )
    if code.startswith("E1"):
        return CodeInfo(
            code, "Spec validation", "The spec does not match spec v1.", Severity.ERROR, f"{REPO_DOCS}/spec.md"
        )
    from mlopsc.targets.registry import TARGETS

    for name, target in TARGETS.items():
        prefix = target.code_prefix
        if prefix and code.startswith(prefix) and code[len(prefix) :].isdigit():
            return CodeInfo(
                code,
                target.title,
                f"Reported by the {target.title} target: what the platform cannot do, or does differently.",
                Severity.ERROR,
                f"{REPO_DOCS}/targets/{name}.md",
            )
    return CodeInfo(code, "mlopsc", "An mlopsc diagnostic.", Severity.ERROR, f"{REPO_DOCS}/ARCHITECTURE.md")
