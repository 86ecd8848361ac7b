"""PRD013: vendor images published without any version (a warning: the spec cannot pin them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.images import VENDOR_UNVERSIONED, is_image_component, parse_image, vendor_unversioned
from mlopsc.policies.rules._production import is_production


class VendorImageVersion(RuleInfo):
    id: ClassVar[str] = "PRD013"
    title: ClassVar[str] = "Vendor images without a published version"
    description: ClassVar[str] = (
        "At level `production`, a target may have to use a vendor image that the vendor publishes without any "
        "version tag, so neither the compiler's tables nor the spec can pin it: "
        + "; ".join(f"`{name}`: {why}" for name, why in sorted(VENDOR_UNVERSIONED.items()))
        + ". What runs can change under an approved deployment, so this is reported, as a warning by default (an "
        "org policy can make it an error, or waive it with a ticket). Every other resolved image must carry a "
        "version (PRD003)."
    )
    default_severity: ClassVar[Severity] = Severity.WARNING
    security: ClassVar[bool] = True

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        for stack in ctx.stacks_for(plan.environment):
            for key, value in sorted(stack.items()):
                if is_image_component(key) and vendor_unversioned(parse_image(value)) is not None:
                    yield Finding(
                        f"{stack.target} would deploy `{value}` ({key}): its vendor publishes no version to pin",
                        ("platforms", stack.target),
                        "pin it by digest where the platform lets you, or accept the vendor's current release",
                    )
