from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rules.base import Outcome, RuleResult
from mlopsc.compiler.spec.typed import Spec
from mlopsc.compiler.spec.vocabulary import Level

REQUIREMENTS = (
    (
        "PRD009",
        "an artifact digest and complete provenance (git_commit, dataset_snapshot_uri, environment_lockfile_uri)",
    ),
    ("PRD007", "monitoring with an alerting SLO"),
    ("PRD008", "a model card"),
    ("PRD006", "a gradual rollout (not all-at-once) when it serves online"),
    ("PRD005", "at least 2 replicas when it serves online"),
    ("PRD010", "request/response capture"),
    ("PRD004", "resources set"),
    ("APR001", "an approval bound to the artifact digest"),
)


class ProductionReadiness:
    id: ClassVar[str] = "R006"
    title: ClassVar[str] = "Production requirements"
    description: ClassVar[str] = (
        "At governance level `production` a model must have: "
        + "; ".join(f"{what} ({code})" for code, what in REQUIREMENTS)
        + ". This rule records which environments these requirements apply to; the policy rules named in "
        "brackets enforce them (docs/policies.md), so that an organisation can change their severity or waive "
        "one, with a reason and an expiry, in its policy file."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        level = spec.governance.level
        applies = level is Level.PRODUCTION
        reason = (
            "level `production`: enforced by policy rules " + ", ".join(code for code, _ in REQUIREMENTS)
            if applies
            else f"level `{level}`: production requirements do not apply"
        )
        return RuleResult(
            (Outcome("governance.production_checks", applies, reason, ((("governance", "level"), level.value),)),)
        )
