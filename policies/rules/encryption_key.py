"""PRD011: in production, a customer-managed encryption key where the platform offers one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._production import is_production


class EncryptionKey(RuleInfo):
    id: ClassVar[str] = "PRD011"
    title: ClassVar[str] = "Customer-managed encryption key"
    description: ClassVar[str] = (
        "At level `production`, Vertex AI resources should be encrypted with a customer-managed key "
        "(`platforms.vertex.kms_key_name`, rendered as `encryptionSpec`). SageMaker is checked on the rendered "
        "template instead (RND004), where the target's choices (a key it must leave out on NVMe instance types, "
        "say) are visible. KServe and Azure ML encrypt at the cluster or workspace level, outside the spec. A "
        "warning by default; an org policy can raise it to an error."
    )
    default_severity: ClassVar[Severity] = Severity.WARNING
    security: ClassVar[bool] = True

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        platforms = plan.spec.platforms
        if platforms.vertex is not None and not platforms.vertex.kms_key_name:
            yield Finding(
                "Vertex AI resources are encrypted with a Google-managed key",
                ("platforms", "vertex", "kms_key_name"),
                "set `kms_key_name` (projects/<p>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>)",
            )
