"""What the KServe target resolves for one plan (target.py `resolve`), read by its emit as typed attributes."""

from __future__ import annotations

from dataclasses import dataclass

from mlopsc.compiler.ir import Stack, StackItems, typed_stack


@dataclass(frozen=True)
class KServeStack(StackItems):
    namespace: str
    mode: str  # platforms.kserve.deployment_mode
    container: str | None = None  # a custom predictor container (serving.image)
    runtime: str | None = None  # the ServingRuntime KServe selects (choose.py), when no container
    protocol: str | None = None  # its protocolVersion (v1/v2)
    model_format: str | None = None
    model_format_version: str | None = None
    capture_url: str | None = None  # the payload logger's URL
    batch_image: str | None = None
    batch_scorer: str | None = None  # the framework whose generated scorer the batch CronJob runs
    batch_runtime: str | None = None  # the runtime the batch pod runs as a sidecar (batch_runtime.py)
    batch_protocol: str | None = None  # the protocol its client speaks (v1/v2)
    batch_format: str | None = None  # the modelFormat `<name>:<version>` that runtime was selected for

    @staticmethod
    def of(stack: Stack) -> KServeStack:
        return typed_stack(stack, KServeStack)
