"""What Azure ML managed online and batch endpoints can do, as data (compared with the decided state by
compiler/passes/capabilities.py)."""

from __future__ import annotations

from mlopsc.compiler.diagnostics import Severity
from mlopsc.targets.capabilities import Capabilities, Flag, LiveSplit, Mirroring, Refusal, SecretReferences

LEARN = "https://learn.microsoft.com/azure/machine-learning"
ENDPOINT_YAML = f"{LEARN}/reference-yaml-endpoint-online"
MAX_MIRROR_PERCENT = 50

CAPABILITIES = Capabilities(
    live_split=LiveSplit(
        supported=True,
        source=f"{ENDPOINT_YAML} (traffic: integer percents per deployment, summing to 100)",
        note="endpoint.yaml traffic over one deployment per version",
        granularity=1,
    ),
    mirroring=Mirroring(
        supported=True,
        source=f"{LEARN}/how-to-safely-rollout-online-endpoints (mirror traffic: at most 50%, one deployment)",
        note="endpoint.yaml mirror_traffic",
        max_share=MAX_MIRROR_PERCENT,
        one_target_only=True,
        over_max=Refusal(
            "AML005",
            "Azure ML mirrors at most {max}% of traffic to a shadow deployment, not {traffic}%",
            ("rollout", "traffic"),
            (
                "`rollout.traffic` of {max} or less",
                "`strategy: canary` to send live traffic to the new version",
                "render the shadow rollout for SageMaker (ShadowProductionVariants, up to 100%)",
            ),
        ),
    ),
    scale_to_zero=Flag(
        supported=False,
        source=f"{LEARN}/reference-yaml-deployment-managed-online (instance_count, scale_settings)",
        refusal=Refusal(
            "AML101",
            "a managed online deployment runs at least 1 instance: `replicas.min: 0` is deployed as 1",
            ("serving", "replicas", "min"),
            hint="serverless scale-to-zero is not available on managed online endpoints",
            severity=Severity.WARNING,
        ),
    ),
    grpc=Flag(
        supported=False,
        source=f"{LEARN}/concept-endpoints-online (managed online endpoints: HTTPS scoring URI)",
        refusal=Refusal(
            "AML013",
            "Azure ML managed online endpoints serve HTTPS (REST) only, not gRPC",
            ("serving", "protocol"),
            ("`protocol: rest`", "render gRPC for KServe"),
        ),
    ),
    private_splits=Flag(
        supported=True,
        source=f"{LEARN}/concept-secure-online-endpoint (public_network_access: disabled)",
        note="not rendered by mlopsc today",
    ),
    batch=Flag(supported=True, source=f"{LEARN}/reference-yaml-deployment-batch", note="batch endpoint + deployment"),
    schedules=Flag(
        supported=True,
        source=f"{LEARN}/reference-yaml-schedule",
        note="retraining-schedule.yaml; batch schedules run by an external scheduler (AML104)",
    ),
    secrets=SecretReferences(
        supported=True,
        source=f"{LEARN}/how-to-access-resources-from-endpoints-managed-identities (Key Vault via managed identity)",
        note="<VAR>_SECRET_URL; the scoring code reads it with the endpoint's identity",
        missing=Refusal(
            "AML006",
            "secret `{secret}` (serving.env.{var}) has no Azure ML Key Vault reference",
            ("secrets", "{secret}"),
            hint="add `azureml: https://<vault>.vault.azure.net/secrets/<name>` to the secret",
        ),
    ),
)
