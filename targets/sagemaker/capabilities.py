"""What SageMaker real-time endpoints (CloudFormation) can do, as data (compared with the decided state
by compiler/passes/capabilities.py)."""

from __future__ import annotations

from mlopsc.targets.capabilities import Capabilities, Flag, LiveSplit, Mirroring, Refusal, SecretReferences

API = "https://docs.aws.amazon.com/sagemaker/latest/APIReference"

CAPABILITIES = Capabilities(
    live_split=LiveSplit(
        supported=True,
        source=f"{API}/API_ProductionVariant.html (InitialVariantWeight)",
        note="production variants `new` and `previous` weighted by the decided live shares, one EndpointConfig "
        "per traffic value; the update is ALL_AT_ONCE with a bake the rollback alarms watch",
        granularity=1,
    ),
    mirroring=Mirroring(
        supported=True,
        source=f"{API}/API_CreateEndpointConfig.html (ShadowProductionVariants: one production and one shadow "
        "variant); github.com/aws/amazon-sagemaker-examples archived/shadow-console/Shadow_variant.ipynb (production "
        "weight 1, shadow weight 0.5: 50% of requests copied)",
        note="ShadowProductionVariants: production weight 1, shadow weight = mirrored share / 100 (AWS's shadow "
        "example); not InferenceExperiment, which edits the stack's endpoint outside CloudFormation and ends by "
        "itself within 30 days",
        max_share=100,
        one_target_only=True,
    ),
    scale_to_zero=Flag(
        supported=False,
        source=f"{API}/API_ProductionVariant.html (InitialInstanceCount: at least 1); "
        "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html",
        note="every production variant of a real-time endpoint keeps at least one instance (a version at 0% too)",
        refusal=Refusal(
            "SGM030",
            "SageMaker real-time endpoint variants keep at least 1 instance, not {replicas_min}",
            ("serving", "replicas", "min"),
            ("`replicas.min: 1`", "KServe (Knative) to scale to zero"),
        ),
    ),
    grpc=Flag(
        supported=False,
        source=f"{API}/API_runtime_InvokeEndpoint.html (HTTPS)",
        refusal=Refusal(
            "SGM027",
            "SageMaker real-time endpoints are invoked over HTTPS (InvokeEndpoint), not gRPC",
            ("serving", "protocol"),
            ("`protocol: rest`", "render the gRPC service for KServe"),
        ),
    ),
    private_splits=Flag(
        supported=True,
        source=f"{API}/API_VpcConfig.html",
        note="`platforms.sagemaker.vpc_config` on the Model",
    ),
    batch=Flag(supported=True, source=f"{API}/API_CreateTransformJob.html", note="Pipeline Transform step"),
    schedules=Flag(
        supported=True,
        source="https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
        note="EventBridge Scheduler",
    ),
    secrets=SecretReferences(
        supported=True,
        source="https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html",
        note="<VAR>_SECRET_ARN; the container reads it (network isolation off)",
        missing=Refusal(
            "SGM006",
            "secret `{secret}` has no SageMaker reference",
            ("secrets", "{secret}"),
            hint="add `sagemaker: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`",
        ),
    ),
)
