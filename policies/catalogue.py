"""docs/policies.md, generated from the rule registry and the org-policy model (never hand-edited)."""

from __future__ import annotations

from mlopsc.compiler.diagnostics import Severity

_INTRO = """\
Every `mlopsc compile`, `mlopsc validate` and `mlopsc policy` runs these rules after rendering: over the
spec as written, over each environment's effective spec, and over every rendered file. A finding at
level `error` makes the run exit 1, and `compile` then writes nothing. Each rule has a stable id, a
default severity that the org policy file can change, and a link here from every output format
(`--format text|json|sarif|github`).

"""

_DEFAULT = """\
## The org policy file

One org policy per run: the `.mlopsc/policy.yaml` of the **repository root**, or the file given with
`--policy FILE`. The repository root of a spec is its git top-level (the nearest folder at or above the
spec's folder that holds `.git`, a folder or a worktree's file); outside git, the current working folder
(where mlopsc runs). A `.mlopsc/policy.yaml` anywhere between a spec's folder and the repository root is
an error (POL005) and is never read: a nested file would let whoever owns a sub-folder re-grade findings
or switch approvals off for the models under it. Keep the root's file where CODEOWNERS protects it:
it grades findings and grants waivers. It is checked strictly (unknown
keys, wrong types and unknown rule ids are errors with their position), and a malformed file fails
closed: no rule runs and the run fails (POL001).

**Without a file** the default policy applies: every rule at its default severity below; environments
at governance level `production` need an approval bound to the environment's deployment subject (the
artifact digest and every image, URI and command that runs there), from any role, by anyone but the
model's owner, not expired when it has an expiry (`expires` is optional; no maximum age); no
signatures; no waivers. All dates are compared in UTC, at the run's one instant (`MLOPSC_NOW` replaces it).

```yaml
version: 1
severity:                  # per-rule override: error | warning | note
  PRD011: error            # customer-managed keys are mandatory here
  PRD013: error
approvals:
  levels: [production]     # governance levels whose environments need an approval
  roles: [model-risk]      # an approval counts only with one of these roles (empty: any role)
  approvers:               # who holds each role (empty map: anyone holds any role)
    model-risk: [carol@example.com, dan@example.com]
  max_age_days: 90         # optional: older approvals (from `at`) no longer count
  require_expires: true    # every counted approval must carry `expires` (optional in spec v1)
  allow_self_approval: false   # default: the owner cannot approve (case, +tag, punycode, look-alikes folded)
  require_signatures: true # each counted approval carries an SSH signature (APR002)
  allowed_signers: .mlopsc/allowed_signers   # relative to the folder holding .mlopsc/
waivers:
  - rule: PRD012
    model: fraud-detection
    environment: production          # or `*` for findings about the spec file as a whole
    path: platforms.vertex.network   # optional: the finding's path (or a parent), or a rendered file path
    reason: Private Service Connect is being rolled out by the network team.
    owner: platform-team@example.com
    ticket: NET-481
    expires: 2027-01-31              # required, at most 90 days after today
```

<a id="waivers"></a>
## Waivers

Waivers live in the org policy file only, never in the spec. Each names a rule, a model and an
environment (optionally a path), and needs a reason (10 characters or more), an owner, a ticket and an
expiry at most 90 days ahead. A waived finding stays visible in every output format, marked as waived
with its justification (SARIF: `suppressions`), and no longer fails the run.

| code | severity | when |
|---|---|---|
"""


def policy_page() -> str:
    from mlopsc.compiler.docs import GENERATED
    from mlopsc.policies import RULES
    from mlopsc.policies.orgpolicy import POLICY_CODES, WAIVER_UNUSED

    lines = [GENERATED, "# Policy rules\n\n", _INTRO, "| id | rule | default | security |\n|---|---|---|---|\n"]
    for rule in RULES:
        security = "yes" if rule.security else ""
        lines.append(
            f"| [{rule.id}](#{rule.id.lower()}) | {rule.title} | {rule.default_severity.value} | {security} |\n"
        )
    lines.append("\n")
    lines.append(_DEFAULT)
    for code, text in POLICY_CODES.items():
        severity = Severity.WARNING if code == WAIVER_UNUSED else Severity.ERROR
        lines.append(f"| {code} | {severity.value} | {text} |\n")
    lines.append("\n## Rules\n\n")
    for rule in RULES:
        lines.append(f'<a id="{rule.id.lower()}"></a>\n### {rule.id}: {rule.title}\n\n')
        security = ", security (SARIF `security-severity`)" if rule.security else ""
        lines.append(f"Default severity: **{rule.default_severity.value}**{security}.\n\n{rule.description}\n\n")
    return "".join(lines)
