"""RND005: SageMaker models run with network isolation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import RenderedFile
from mlopsc.policies.base import FileFinding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._cloudformation import resources


class SageMakerIsolation(RuleInfo):
    id: ClassVar[str] = "RND005"
    title: ClassVar[str] = "SageMaker model runs network-isolated"
    description: ClassVar[str] = (
        "In every rendered CloudFormation template, each `AWS::SageMaker::Model` should set "
        "`EnableNetworkIsolation: true`, so that the inference container cannot make outbound calls (it then "
        "reaches only what its `VpcConfig` allows, and the model artifact is fetched by SageMaker, not by the "
        "container). A warning by default, like PRD012; an org policy can raise it to an error."
    )
    default_severity: ClassVar[Severity] = Severity.WARNING
    security: ClassVar[bool] = True

    def check_file(self, file: RenderedFile, ctx: PolicyContext) -> Iterator[FileFinding]:
        for path, logical_id, props in resources(file, "AWS::SageMaker::Model"):
            if props.get("EnableNetworkIsolation") is not True:
                where = (*path, "Properties", "EnableNetworkIsolation")
                if "EnableNetworkIsolation" not in props:
                    where = (*path, "Properties")
                yield FileFinding(
                    f"Model `{logical_id}` does not enable network isolation",
                    where,
                    "set `platforms.sagemaker.network_isolation: true` in the spec (with a `vpc_config` when the "
                    "container must reach your network)",
                )
