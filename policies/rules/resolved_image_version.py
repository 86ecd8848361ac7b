"""PRD003: in production, images the compiler resolves carry an explicit version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.images import has_version, is_image_component, parse_image, user_images, vendor_unversioned
from mlopsc.policies.rules._production import is_production


class ResolvedImageVersion(RuleInfo):
    id: ClassVar[str] = "PRD003"
    title: ClassVar[str] = "Resolved images have an explicit version"
    description: ClassVar[str] = (
        "At level `production`, every container image a target resolves from its own tables (prebuilt serving, "
        "monitoring and training images; recorded in the target's stack as `image`, `*_image` or `container`) "
        "must name its version: a digest, a tag other than `latest`, or, for vendor images published only as "
        "`:latest` under a versioned repository name (Vertex AI's `xgboost-cpu.1-7:latest`), the version in the "
        "repository name. An untagged image is whatever the vendor pushed last. Images the spec itself names "
        "are checked by PRD001 and PRD002; vendor images that are published with no version at all, by PRD013. The "
        "finding points at the platform's block in the spec."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        written = {image for _, image in user_images(plan.spec)}
        for stack in ctx.stacks_for(plan.environment):
            for key, value in sorted(stack.items()):
                if not is_image_component(key) or value in written:
                    continue
                ref = parse_image(value)
                if not has_version(ref) and vendor_unversioned(ref) is None:
                    yield Finding(
                        f"{stack.target} would deploy `{value}` ({key}) without an explicit version",
                        ("platforms", stack.target),
                        "set the image in the spec pinned by digest, or report the table entry as an mlopsc bug",
                    )
