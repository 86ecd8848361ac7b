"""PRD009: in production, complete provenance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production

FIELDS = ("git_commit", "dataset_snapshot_uri", "environment_lockfile_uri")


class Provenance(RuleInfo):
    id: ClassVar[str] = "PRD009"
    title: ClassVar[str] = "Complete provenance"
    description: ClassVar[str] = (
        "At level `production`, the model must be traceable to what made it: `model.artifact.digest` (the bytes), "
        "and `model.provenance.git_commit` (the code), `dataset_snapshot_uri` (the data) and "
        "`environment_lockfile_uri` (the dependencies). Each missing piece is one finding."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        model = plan.spec.model
        if model.artifact.digest is None:
            yield Finding(
                "production needs the artifact's digest",
                ("model", "artifact", "digest"),
                "add `digest: sha256:<64 hex>` (sha256sum of the artifact)",
            )
        for name in FIELDS:
            if getattr(model.provenance, name) is None:
                yield Finding(
                    f"production needs provenance: `model.provenance.{name}` is missing",
                    ("model", "provenance", name),
                    "record how the model was built",
                )
