"""What Vertex AI (v1 REST API) can do, as data (compared with the decided state by
compiler/passes/capabilities.py)."""

from __future__ import annotations

from mlopsc.targets.capabilities import (
    Capabilities,
    Flag,
    LiveSplit,
    Mirroring,
    PrivateSplits,
    Refusal,
    SecretReferences,
)

REST = "https://cloud.google.com/vertex-ai/docs/reference/rest/v1"

CAPABILITIES = Capabilities(
    live_split=LiveSplit(
        supported=True,
        source=f"{REST}/projects.locations.endpoints#Endpoint (trafficSplit: integer percents summing to 100)",
        note="DeployModelRequest.trafficSplit; `apply.sh` converges the endpoint on `apply.json` traffic_split",
        granularity=1,
    ),
    mirroring=Mirroring(
        supported=False,
        source=f"{REST}/projects.locations.endpoints#Endpoint (no mirroring field)",
        refusal=Refusal(
            "VTX005",
            "Vertex AI endpoints cannot mirror (shadow) traffic to a new version",
            ("rollout", "strategy"),
            (
                "`strategy: canary` with a small `traffic` share",
                "render the shadow rollout for SageMaker (ShadowProductionVariants) or Azure ML (mirror_traffic)",
            ),
        ),
    ),
    scale_to_zero=Flag(
        supported=False,
        source=f"{REST}/DedicatedResources (minReplicaCount: at least 1)",
        refusal=Refusal(
            "VTX014",
            "Vertex AI dedicated resources keep at least 1 replica, not {replicas_min}",
            ("serving", "replicas", "min"),
            ("`replicas.min: 1`", "KServe (Knative) to scale to zero"),
        ),
    ),
    grpc=Flag(
        supported=True,
        source=f"{REST}/ModelContainerSpec (grpcPorts)",
        note="custom `serving.image` only",
    ),
    private_splits=PrivateSplits(
        supported=False,
        source=(
            'https://cloud.google.com/vertex-ai/docs/predictions/using-private-endpoints ("Only support one model '
            "per private endpoint. This is different from a public Vertex AI endpoint where you can split traffic "
            'across multiple models deployed to one endpoint")'
        ),
        note="`platforms.vertex.network` (private services access): one DeployedModel per endpoint",
        network=("platforms", "vertex", "network"),
        refusal=Refusal(
            "VTX030",
            "a Vertex AI private endpoint (`platforms.vertex.network`) serves one model, so a {strategy} rollout "
            "cannot deploy the new version beside the previous one and split traffic on it",
            ("platforms", "vertex", "network"),
            (
                "a public endpoint: remove `platforms.vertex.network` (requests still need IAM)",
                "`rollout.strategy: all-at-once` on the private endpoint (the previous version is undeployed)",
                "a Private Service Connect endpoint (Endpoint.privateServiceConnectConfig, "
                "https://cloud.google.com/vertex-ai/docs/predictions/private-service-connect), which Google "
                "recommends for private serving; mlopsc does not render one yet",
            ),
        ),
    ),
    batch=Flag(supported=True, source=f"{REST}/projects.locations.batchPredictionJobs", note="BatchPredictionJob"),
    schedules=Flag(
        supported=True,
        source=f"{REST}/projects.locations.schedules",
        note="retraining: Schedule; batch: Cloud Scheduler job from apply.sh",
    ),
    secrets=SecretReferences(
        supported=True,
        source="https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions",
        note="no injection into prediction containers: <VAR>_SECRET names the version the container reads",
        missing=Refusal(
            "VTX007",
            "secret `{secret}` has no Vertex AI reference",
            ("secrets", "{secret}"),
            hint="add `vertex: projects/<project>/secrets/<name>/versions/<n>` (a Secret Manager name)",
        ),
    ),
)
