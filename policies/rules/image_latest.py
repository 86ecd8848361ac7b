"""PRD002: in production, no image named with the `latest` tag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.images import parse_image, user_images
from mlopsc.policies.rules._production import is_production


class ImageLatest(RuleInfo):
    id: ClassVar[str] = "PRD002"
    title: ClassVar[str] = "No `latest` tag"
    description: ClassVar[str] = (
        "At level `production`, no image the spec names may use the `latest` tag, even with a digest after it: "
        "`latest` says nothing about what the image is, and a reader cannot tell which release was approved. "
        "Images the compiler resolves from its own tables are checked by PRD003."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        for path, image in user_images(plan.spec):
            if parse_image(image).tag == "latest":
                yield Finding(f"image `{image}` uses the `latest` tag", path, "tag the image with its release version")
