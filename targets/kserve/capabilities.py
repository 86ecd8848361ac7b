"""What KServe v0.20 can do, as data (compared with the decided state by compiler/passes/capabilities.py)."""

from __future__ import annotations

from mlopsc.compiler.spec.vocabulary import Strategy
from mlopsc.targets.capabilities import Capabilities, Flag, LiveSplit, Mirroring, Refusal, SecretReferences, Setting

COMPONENT = "kserve/kserve v0.20.0 pkg/apis/serving/v1beta1/component.go (ComponentExtensionSpec)"

CAPABILITIES = Capabilities(
    live_split=LiveSplit(
        supported=True,
        source=f"{COMPONENT}: CanaryTrafficPercent; pkg/apis/serving/v1alpha1/inference_graph.go: Splitter weight",
        note="serverless: canaryTrafficPercent at the live name (latest vs previous ready revision) for every split "
        "strategy; raw: A/B only, an InferenceGraph beside the unchanged live service (KSV036)",
        granularity=1,
        requires=Setting(
            ("platforms", "kserve", "deployment_mode"),
            "serverless",
            Refusal(
                "KSV006",
                "KServe honours canaryTrafficPercent only in Knative (serverless) mode; a {strategy} rollout "
                "cannot split traffic in Standard (raw) mode",
                ("platforms", "kserve", "deployment_mode"),
                (
                    "`deployment_mode: serverless`",
                    "`strategy: ab` (an InferenceGraph splitter)",
                    "`strategy: all-at-once` outside production",
                ),
            ),
        ),
        requires_for=(Strategy.CANARY, Strategy.BLUE_GREEN),
    ),
    mirroring=Mirroring(
        supported=False,
        source=f"{COMPONENT}: no mirror field on the InferenceService predictor",
        refusal=Refusal(
            "KSV005",
            "KServe cannot mirror (shadow) traffic to a new version",
            ("rollout", "strategy"),
            (
                "`strategy: canary` with a small `traffic` share",
                "render the shadow rollout for SageMaker (ShadowProductionVariants) or Azure ML (mirror_traffic)",
                "an Istio VirtualService `mirror` managed outside mlopsc",
            ),
        ),
    ),
    scale_to_zero=Flag(
        supported=True,
        source=f"{COMPONENT}: MinReplicas (0 allowed; Knative scales to zero)",
        note="rendered as minReplicas 0 in both modes today",
    ),
    grpc=Flag(
        supported=True,
        source="targets/kserve/runtimes.py (ClusterServingRuntime protocolVersions)",
        note="per runtime: KSV002 when the runtime has no gRPC",
    ),
    private_splits=Flag(
        supported=True,
        source="Knative Serving docs: cluster-local visibility (networking.knative.dev/visibility)",
        note="not rendered by mlopsc today",
    ),
    batch=Flag(supported=True, source="Kubernetes batch/v1 CronJob", note="CronJob <name>-batch"),
    schedules=Flag(supported=True, source="Kubernetes batch/v1 CronJob schedule", note="CronJob, UTC"),
    secrets=SecretReferences(
        supported=True,
        source="Kubernetes core/v1 EnvVarSource.secretKeyRef",
        note="env valueFrom.secretKeyRef",
        missing=Refusal(
            "KSV007",
            "secret `{secret}` has no KServe reference",
            ("secrets", "{secret}"),
            hint="add `kserve: {{secret_key_ref: {{name: <Secret>, key: <key>}}}}`",
        ),
    ),
)
