"""What the Vertex AI target resolves for one plan (target.py `resolve`), read by its bodies and scripts as typed
attributes."""

from __future__ import annotations

from dataclasses import dataclass

from mlopsc.compiler.ir import Stack, StackItems, typed_stack


@dataclass(frozen=True)
class VertexStack(StackItems):
    project: str
    region: str
    machine_type: str | None = None  # set on every stack resolve returns (VTX006 otherwise)
    accelerator_type: str | None = None
    accelerator_count: str | None = None  # with accelerator_type
    image: str | None = None  # set on every stack resolve returns (VTX001/VTX002 otherwise)
    prebuilt: str | None = None  # "true": a Vertex prebuilt prediction image; "false": the spec's container
    artifact_uri: str | None = None  # gs:// (VTX004 otherwise)
    capture_uri: str | None = None  # bq:// request-response logging
    capture_rate: str | None = None  # with capture_uri
    batch_schedule: str | None = None  # Cloud Scheduler cron (a service account is set)
    drift: str | None = None  # feature=threshold,... converted by drift.py
    skew_source: str | None = None  # the training snapshot for skew detection
    pipeline_image: str | None = None  # the scheduled retraining pipeline's image
    pipeline_root: str | None = None  # with pipeline_image

    @staticmethod
    def of(stack: Stack) -> VertexStack:
        return typed_stack(stack, VertexStack)
