"""RND004: SageMaker endpoint configurations encrypt with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import RenderedFile
from mlopsc.policies.base import FileFinding, RuleInfo
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules._cloudformation import resources


class SageMakerKms(RuleInfo):
    id: ClassVar[str] = "RND004"
    title: ClassVar[str] = "SageMaker endpoint config uses a KMS key"
    description: ClassVar[str] = (
        "In every rendered CloudFormation template, each `AWS::SageMaker::EndpointConfig` should set `KmsKeyId` "
        "(the key that encrypts the ML storage volume of the endpoint's instances) and, when it captures data "
        "(`DataCaptureConfig`), `DataCaptureConfig.KmsKeyId` (the key of the captured payloads in S3). Without "
        "them AWS-managed keys are used, which the account cannot revoke or audit separately. A warning by "
        "default, like PRD011; an org policy can raise it to an error."
    )
    default_severity: ClassVar[Severity] = Severity.WARNING
    security: ClassVar[bool] = True

    def check_file(self, file: RenderedFile, ctx: PolicyContext) -> Iterator[FileFinding]:
        for path, logical_id, props in resources(file, "AWS::SageMaker::EndpointConfig"):
            if not props.get("KmsKeyId"):
                yield FileFinding(f"EndpointConfig `{logical_id}` has no KmsKeyId", (*path, "Properties"), _HINT)
            capture = props.get("DataCaptureConfig")
            if isinstance(capture, Mapping) and not capture.get("KmsKeyId"):
                yield FileFinding(
                    f"EndpointConfig `{logical_id}` captures data without a KmsKeyId",
                    (*path, "Properties", "DataCaptureConfig"),
                    _HINT,
                )


_HINT = "set `platforms.sagemaker.kms_key_id` in the spec"
