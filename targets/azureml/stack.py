"""What the Azure ML target resolves for one plan (target.py `resolve`), read by its documents, apply script and
monitor as typed attributes."""

from __future__ import annotations

from dataclasses import dataclass

from mlopsc.compiler.ir import Stack, StackItems, typed_stack


@dataclass(frozen=True)
class AzureMLStack(StackItems):
    workspace: str
    resource_group: str
    region: str
    endpoint: str  # naming.endpoint_name: <model>-<environment>
    deployment: str  # naming.deployment_name of the model version
    instance_count: str  # Derived.instances_min (0: AML101, the capability check)
    environment: str | None = None  # a curated environment (or the conda base image with conda_file)
    conda_file: str | None = None  # score/conda.yaml when no curated environment pins the version
    image: str | None = None  # serving.image as a custom container (no environment then)
    model_path: str | None = None  # set on every stack resolve returns (AML003 otherwise)
    instance_type: str | None = None  # the SKU, set on every stack resolve returns
    capture_rate: str | None = None
    capture_path: str | None = None  # with capture_rate when a destination is given
    environment_build: str | None = None  # environment/ build context adding what score.py imports
    environment_packages: str | None = None  # with environment_build: the packages it adds
    batch_endpoint: str | None = None
    batch_instances: str | None = None  # with batch_endpoint
    batch_compute: str | None = None  # with batch_endpoint: platforms.azureml.batch_compute, or the rendered cluster
    batch_cluster_max: str | None = None  # with a rendered cluster (compute.yaml): its max_instances
    retraining_image: str | None = None
    training_compute: str | None = None

    @staticmethod
    def of(stack: Stack) -> AzureMLStack:
        return typed_stack(stack, AzureMLStack)
