"""What the SageMaker target resolves for one plan (resolve.py), read by its template as typed attributes."""

from __future__ import annotations

from dataclasses import dataclass

from mlopsc.compiler.ir import Stack, StackItems, typed_stack


@dataclass(frozen=True)
class SageMakerStack(StackItems):
    region: str
    instance_count: str  # Derived.instances_min
    image: str | None = None  # set on every stack resolve returns (SGM001/SGM002 otherwise)
    triton_model: str | None = None  # ONNX served by Triton: SAGEMAKER_TRITON_DEFAULT_MODEL_NAME
    instance_type: str | None = None  # set on every stack resolve returns (SGM005 otherwise)
    network_isolation: str | None = None  # "true" / "false", set on every stack resolve returns
    monitor_image: str | None = None
    batch_cron: str | None = None
    training_image: str | None = None
    retraining_cron: str | None = None

    @staticmethod
    def of(stack: Stack) -> SageMakerStack:
        return typed_stack(stack, SageMakerStack)
