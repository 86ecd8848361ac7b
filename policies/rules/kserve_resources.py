"""RND001: every KServe container sets CPU and memory requests and limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity, dotted
from mlopsc.compiler.ir import RenderedFile
from mlopsc.policies.base import FileFinding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._kserve import containers, is_inference_service


class KServeResources(RuleInfo):
    id: ClassVar[str] = "RND001"
    title: ClassVar[str] = "KServe containers set resources"
    description: ClassVar[str] = (
        "In every rendered KServe InferenceService, each container (the predictor's `model` or framework "
        "block, and every entry of `containers` of the predictor, transformer and explainer) must set "
        "`resources.requests` and `resources.limits` for both `cpu` and `memory`. Without requests the scheduler "
        "cannot place replicas by capacity; without limits one replica can starve its node. Checked on the "
        "rendered file, whatever produced it."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    security: ClassVar[bool] = False

    def check_file(self, file: RenderedFile, ctx: PolicyContext) -> Iterator[FileFinding]:
        if not is_inference_service(file):
            return
        assert isinstance(file.body, dict)
        for path, container in containers(file.body):
            resources = container.get("resources")
            resources = resources if isinstance(resources, Mapping) else {}
            missing = []
            for section in ("requests", "limits"):
                values = resources.get(section)
                values = values if isinstance(values, Mapping) else {}
                missing += [f"{section}.{name}" for name in ("cpu", "memory") if values.get(name) in (None, "")]
            if missing:
                where = (*path, "resources") if resources else path
                yield FileFinding(
                    f"container at {dotted(path)} does not set resources {', '.join(missing)}",
                    where,
                    "set `serving.resources` (cpu, memory_gb) in the spec",
                )
