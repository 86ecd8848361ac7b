"""PRD001: in production, images the user supplies are pinned by digest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Plan
from mlopsc.policies.base import Finding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.images import parse_image, user_images
from mlopsc.policies.rules._production import is_production


class ImageDigest(RuleInfo):
    id: ClassVar[str] = "PRD001"
    title: ClassVar[str] = "User images pinned by digest"
    description: ClassVar[str] = (
        "At level `production`, every container image the spec names (`serving.image`, `serving.image_mirrors.*`, "
        "`serving.batch.image`, `retraining.pipeline.image`, `retraining.pipeline.mirrors.*`) must be pinned by "
        "digest (`registry/repo@sha256:<64 hex>`, a tag may precede the digest). A tag can be moved to other "
        "bytes after review; a digest cannot, so what was reviewed and approved is what runs."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = True

    def check(self, plan: Plan, ctx: PolicyContext) -> Iterator[Finding]:
        if not is_production(plan):
            return
        for path, image in user_images(plan.spec):
            if not parse_image(image).pinned:
                yield Finding(
                    f"image `{image}` is not pinned by digest",
                    path,
                    "append `@sha256:<digest>` (`docker buildx imagetools inspect <image>` prints it)",
                )
