"""The pydantic v2 model of one environment's effective spec (mlops.yaml without `environments`).

Frozen, strict (a string is not a number), unknown keys rejected. Field docstrings become the
JSON Schema descriptions (`mlopsc schema`) and the generated docs/spec.md.
Cross-field checks that need a precise path (secret references, scale needs a figure) live in
the validate pass, not here, so their diagnostics point at the exact node.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from mlopsc.compiler.quoting import comment
from mlopsc.compiler.spec.checks import raw_number
from mlopsc.compiler.spec.cron import cron_problem
from mlopsc.compiler.spec.patterns import (
    API_VERSION,
    AWS_REGION,
    AWS_SECRET_ARN,
    AZURE_COMPUTE,
    AZURE_REGION,
    AZURE_RESOURCE_GROUP,
    AZURE_SECRET_URL,
    AZURE_WORKSPACE,
    DIGEST,
    EMAIL,
    ENV_VAR,
    ENVIRONMENT,
    FEATURE,
    GCP_PROJECT,
    GCP_REGION,
    GCP_SECRET,
    GCP_SERVICE_ACCOUNT,
    GIT_SHA,
    IAM_ROLE_ARN,
    IMAGE,
    K8S_NAME,
    KIND,
    LABEL_KEY,
    LABEL_VALUE,
    METRIC,
    NAME,
    SECRET_KEY,
    SECRET_NAME,
    SECURITY_GROUP,
    SEMVER,
    SUBNET,
    URI,
)
from mlopsc.compiler.spec.vocabulary import (
    Compatibility,
    DeploymentMode,
    DriftMethod,
    FeatureType,
    Framework,
    Level,
    ModelType,
    Optimization,
    Protocol,
    RetrainTrigger,
    Risk,
    RollbackAlarm,
    ServingMode,
    Strategy,
)

_E = TypeVar("_E", bound=Enum)


def _to_enum(enum: type[_E]) -> Callable[[object], object]:
    """Strict mode accepts only enum instances: convert the YAML string, word the error."""

    def convert(value: object) -> object:
        if isinstance(value, str) and not isinstance(value, enum):
            try:
                return enum(value)
            except ValueError:
                allowed = ", ".join(m.value for m in enum)
                raise ValueError(f"`{value}` is not one of: {allowed}") from None
        return value

    return convert


def _cron(value: object) -> object:
    if isinstance(value, str):
        problem = cron_problem(value)
        if problem:
            raise ValueError(f"`{comment(value)}` is not a valid cron expression: {problem}")
    return value


Name = Annotated[str, StringConstraints(pattern=NAME)]
Digest = Annotated[str, StringConstraints(pattern=DIGEST)]
Email = Annotated[str, StringConstraints(pattern=EMAIL)]
Uri = Annotated[str, StringConstraints(pattern=URI)]
Image = Annotated[str, StringConstraints(pattern=IMAGE)]
Version = Annotated[str, BeforeValidator(raw_number), StringConstraints(min_length=1, max_length=64)]
SemVer = Annotated[str, BeforeValidator(raw_number), StringConstraints(pattern=SEMVER)]
Cron = Annotated[str, BeforeValidator(_cron)]
Percent = Annotated[float, Field(ge=0, le=100)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Positive = Annotated[float, Field(gt=0)]


VCompatibility = Annotated[Compatibility, BeforeValidator(_to_enum(Compatibility))]
VDeploymentMode = Annotated[DeploymentMode, BeforeValidator(_to_enum(DeploymentMode))]
VDriftMethod = Annotated[DriftMethod, BeforeValidator(_to_enum(DriftMethod))]
VFeatureType = Annotated[FeatureType, BeforeValidator(_to_enum(FeatureType))]
VFramework = Annotated[Framework, BeforeValidator(_to_enum(Framework))]
VLevel = Annotated[Level, BeforeValidator(_to_enum(Level))]
VModelType = Annotated[ModelType, BeforeValidator(_to_enum(ModelType))]
VOptimization = Annotated[Optimization, BeforeValidator(_to_enum(Optimization))]
VProtocol = Annotated[Protocol, BeforeValidator(_to_enum(Protocol))]
VRetrainTrigger = Annotated[RetrainTrigger, BeforeValidator(_to_enum(RetrainTrigger))]
VRisk = Annotated[Risk, BeforeValidator(_to_enum(Risk))]
VRollbackAlarm = Annotated[RollbackAlarm, BeforeValidator(_to_enum(RollbackAlarm))]
VServingMode = Annotated[ServingMode, BeforeValidator(_to_enum(ServingMode))]
VStrategy = Annotated[Strategy, BeforeValidator(_to_enum(Strategy))]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, use_attribute_docstrings=True)


# --- metadata -----------------------------------------------------------------------------------------


class Metadata(_Model):
    name: Name
    """The model's name, used for every resource on every platform (3-40 chars, DNS-1123 style)."""
    owner: Email
    """Who answers for the model in production (an email)."""
    team: str | None = None
    """The owning team."""
    labels: dict[
        Annotated[str, StringConstraints(pattern=LABEL_KEY)], Annotated[str, StringConstraints(pattern=LABEL_VALUE)]
    ] = {}
    """Copied to every platform's labels or tags."""


# --- model --------------------------------------------------------------------------------------------


class FrameworkSpec(_Model):
    name: VFramework
    """The framework that saved the artifact; picks the serving runtime or prebuilt image."""
    version: Version
    """Framework version, such as "1.7"; quote it so YAML keeps it as text."""
    compatibility: VCompatibility | None = None
    """How far a serving runtime's framework version may be from `version` (docs/runtimes.md). `exact`:
    the same major.minor, the default for pickled formats (sklearn, xgboost, lightgbm); `minor`: the
    nearest newer minor of the same major, the default where newer versions load older artifacts
    (pytorch, tensorflow, onnx, huggingface); `major`: any version of the same major, newer first.
    Loosen it only after checking that the artifact loads in the runtime chosen (`mlopsc explain`)."""


class Mirrors(_Model):
    kserve: Uri | None = None
    sagemaker: Uri | None = None
    vertex: Uri | None = None
    azureml: Uri | None = None


class ImageMirrors(_Model):
    """Per platform, the serving image that platform pulls. With `serving.image`: the same image (same
    digest) in a registry the platform can pull from (ECR for SageMaker, Artifact Registry for Vertex AI,
    ACR for Azure ML). Without `serving.image`: that platform alone serves with this image, and the
    others keep their runtime or prebuilt image (for example a lightgbm model that KServe and Azure ML
    serve natively, with a container for SageMaker and Vertex AI)."""

    kserve: Image | None = None
    sagemaker: Image | None = None
    vertex: Image | None = None
    azureml: Image | None = None


class Artifact(_Model):
    uri: Uri
    """Where the model's bytes are."""
    digest: Digest | None = None
    """sha256 of the artifact; required in production; approvals are bound to it."""
    size_gb: Annotated[float, Field(ge=0)] | None = None
    """Artifact size; large artifacts get longer startup and readiness timeouts."""
    mirrors: Mirrors = Mirrors()
    """The same bytes (same digest) at a location a platform can read when it cannot read `uri`."""


class Feature(_Model):
    name: Annotated[str, StringConstraints(pattern=FEATURE)]
    type: VFeatureType


class Signature(_Model):
    inputs: Annotated[list[Feature], Field(min_length=1)]
    outputs: Annotated[list[Feature], Field(min_length=1)]


class Provenance(_Model):
    git_commit: Annotated[str, StringConstraints(pattern=GIT_SHA)] | None = None
    """Commit of the training code."""
    dataset_snapshot_uri: Uri | None = None
    environment_lockfile_uri: Uri | None = None
    training_run: str | None = None
    """Optional link to the experiment tracker, such as mlflow:/runs/<id>."""


class ModelSection(_Model):
    type: VModelType
    framework: FrameworkSpec
    version: SemVer
    """Semantic version of the model."""
    artifact: Artifact
    signature: Signature | None = None
    provenance: Provenance = Provenance()
    optimizations: list[VOptimization] = []
    """Optimisations applied to the model (quantization, distillation, pruning, onnx): allow tighter latency."""


# --- serving ------------------------------------------------------------------------------------------


class SecretRef(_Model):
    secret: Annotated[str, StringConstraints(pattern=SECRET_NAME)]
    """Name of an entry of `secrets`: the value is injected by the platform, never written here."""


class Resources(_Model):
    cpu: Positive
    """vCPUs per replica."""
    memory_gb: Positive
    """Memory per replica in GiB."""
    gpu: Annotated[int, Field(ge=0, le=16)] = 0
    """GPUs per replica."""
    gpu_type: str | None = None
    """Accelerator model where the platform asks for one (for example nvidia-tesla-t4, nvidia-l4, nvidia-a100)."""


class Scale(_Model):
    rps: Positive | None = None
    """Peak requests per second."""
    latency_ms: Positive | None = None
    """p95 latency SLA in milliseconds."""
    concurrent_users: Annotated[int, Field(ge=1)] | None = None
    data_volume_gb: Positive | None = None
    """Data scored per batch run."""
    rps_per_replica: Positive | None = None
    """Requests per second one replica sustains (default 100, reported as an assumption)."""


class Replicas(_Model):
    min: Annotated[int, Field(ge=0, le=1000)]
    max: Annotated[int, Field(ge=1, le=1000)]


class Batch(_Model):
    schedule: Cron
    input_uri: Uri
    output_uri: Uri
    image: Image | None = None
    """Batch scoring container where the platform has no managed batch job (KServe); else `serving.image`."""
    command: list[str] = []
    """Command of that container, when its image's default is not the scoring entry point."""


class Serving(_Model):
    mode: VServingMode
    protocol: VProtocol = Protocol.REST
    image: Image | None = None
    """Custom serving container; otherwise resolved per platform from the framework."""
    image_mirrors: ImageMirrors = ImageMirrors()
    """Per platform: a copy of `image` in a registry that platform can pull from, or, without `image`,
    the image that platform alone serves with (the others resolve their runtime from the framework)."""
    env: dict[Annotated[str, StringConstraints(pattern=ENV_VAR)], str | SecretRef] = {}
    """Environment variables; secrets only as `{secret: name}` references."""
    resources: Resources | None = None
    scale: Scale
    replicas: Replicas | None = None
    """When absent, derived from `scale` by the decision rules."""
    batch: Batch | None = None
    """Required when mode is batch or hybrid."""


# --- rollout ------------------------------------------------------------------------------------------


class PreviousArtifact(_Model):
    uri: Uri
    digest: Digest | None = None
    mirrors: Mirrors = Mirrors()


class Previous(_Model):
    version: SemVer
    artifact: PreviousArtifact


class Rollback(_Model):
    on: list[VRollbackAlarm] = []
    """Alarms that roll the new version back where the platform can."""


class Rollout(_Model):
    strategy: VStrategy | None = None
    """Default chosen from governance.risk by rule R001."""
    steps: list[Annotated[int, Field(ge=1, le=100)]] = []
    """Traffic percentages of a gradual rollout, increasing, ending at 100."""
    traffic: Annotated[int, Field(ge=0, le=100)] | None = None
    """Where the rollout stands now: percent of traffic on the new version (mirrored percent for shadow)."""
    previous: Previous | None = None
    """The live version the new one replaces or is compared with."""
    rollback: Rollback = Rollback()


# --- monitoring ---------------------------------------------------------------------------------------


class Slo(_Model):
    p95_latency_ms: Positive | None = None
    error_rate: Fraction | None = None


class DriftThresholds(_Model):
    monitor: Annotated[float, Field(gt=0)] = 0.1
    investigate: Annotated[float, Field(gt=0)] = 0.2
    retrain: Annotated[float, Field(gt=0)] = 0.25


class Drift(_Model):
    method: VDriftMethod = DriftMethod.PSI
    features: list[Annotated[str, StringConstraints(pattern=FEATURE)]] = []
    """Features to watch; empty means every input of the signature."""
    thresholds: DriftThresholds = DriftThresholds()
    sample_rate: Fraction = 0.1


class Quality(_Model):
    metric: Annotated[str, StringConstraints(pattern=METRIC)]
    """The quality metric the platform's monitor reports, such as f1 or roc_auc."""
    baseline: float
    investigate_drop: Fraction = 0.05
    retrain_drop: Fraction = 0.10


class Capture(_Model):
    destination: Uri
    sample_percent: Percent = 100


class Alerts(_Model):
    emails: list[Email] = []
    """Who is told when a monitor fires (Vertex and Azure ML alert notifications)."""


class Monitoring(_Model):
    slo: Slo = Slo()
    drift: Drift | None = None
    quality: Quality | None = None
    capture: Capture | None = None
    alerts: Alerts = Alerts()


# --- retraining ---------------------------------------------------------------------------------------


class Pipeline(_Model):
    image: Image
    command: Annotated[list[str], Field(min_length=1)]
    mirrors: ImageMirrors = ImageMirrors()
    """Copies of `image` in registries the platforms can pull from."""


class Promotion(_Model):
    min_improvement: Fraction = 0.0


class Retraining(_Model):
    schedule: Cron | None = None
    triggers: list[VRetrainTrigger] = []
    pipeline: Pipeline
    promotion: Promotion = Promotion()


# --- governance ---------------------------------------------------------------------------------------


class Approval(_Model):
    environment: Annotated[str, StringConstraints(pattern=ENVIRONMENT)]
    by: Email
    role: str
    at: Annotated[AwareDatetime, Field(strict=False)]
    """When it was approved, with a time zone (2026-11-20T10:00:00Z)."""
    expires: Annotated[date, Field(strict=False)] | None = None
    """Last day (UTC) the approval counts. Optional: without it the approval stands until what it approves
    changes (its `digest` then no longer matches); an org policy can demand one (`approvals.require_expires`)
    or bound the age (`approvals.max_age_days`)."""
    ticket: str | None = None
    digest: Digest
    """The deployment subject approved: SHA-256 over the artifact digest and every image, URI and command
    that runs in the environment (`mlopsc approve` computes it). Any change to them needs a new approval."""
    signature: str | None = None
    """SSH signature over the approval's canonical subject, when the org policy asks for one."""


class ModelCard(_Model):
    intended_use: str
    limitations: str
    fairness: str | None = None


class Governance(_Model):
    level: VLevel
    risk: VRisk
    approvals: list[Approval] = []
    model_card: ModelCard | None = None


# --- platforms ----------------------------------------------------------------------------------------


class KServePlatform(_Model):
    namespace: Annotated[str, StringConstraints(pattern=K8S_NAME)]
    """Namespace of every KServe resource. With `environments`, an environment renders into its own
    `environments.<env>.platforms.kserve.namespace` when it writes one, else into `<namespace>-<env>`, so that
    environments never overwrite each other in one cluster."""
    deployment_mode: VDeploymentMode = DeploymentMode.SERVERLESS
    service_account: Annotated[str, StringConstraints(pattern=K8S_NAME)] | None = None
    capture_destination: Uri | None = None


class VpcConfig(_Model):
    security_group_ids: Annotated[list[Annotated[str, StringConstraints(pattern=SECURITY_GROUP)]], Field(min_length=1)]
    subnets: Annotated[list[Annotated[str, StringConstraints(pattern=SUBNET)]], Field(min_length=1)]


class SageMakerPlatform(_Model):
    region: Annotated[str, StringConstraints(pattern=AWS_REGION)]
    execution_role_arn: Annotated[str, StringConstraints(pattern=IAM_ROLE_ARN)]
    kms_key_id: str | None = None
    network_isolation: bool | None = None
    """`EnableNetworkIsolation` of the models. Absent: decided by the target, true unless `serving.env`
    references secrets (an isolated container cannot call Secrets Manager), then false with a warning.
    `true` together with secrets is refused: use `false` with `vpc_config` and a Secrets Manager VPC endpoint."""
    vpc_config: VpcConfig | None = None
    capture_destination: Uri | None = None
    baseline_uri: Uri | None = None
    """s3:// folder holding `constraints.json` and `statistics.json` of a Model Monitor baselining job over the
    training data (drift monitoring compares captured traffic with them); default: `baseline/` under the capture
    destination."""
    scheduler_role_arn: Annotated[str, StringConstraints(pattern=IAM_ROLE_ARN)] | None = None
    """Role that EventBridge Scheduler and EventBridge rules assume to start the batch and retraining pipelines
    (needs `sagemaker:StartPipelineExecution`); default: a role created in the template for exactly those pipelines."""
    training_output_uri: Uri | None = None
    """s3:// folder where retraining jobs write model artifacts; default: `mlopsc-training/<model>/<environment>/` in
    the bucket of the SageMaker artifact."""


class VertexPlatform(_Model):
    project: Annotated[str, StringConstraints(pattern=GCP_PROJECT)]
    region: Annotated[str, StringConstraints(pattern=GCP_REGION)]
    service_account: Annotated[str, StringConstraints(pattern=GCP_SERVICE_ACCOUNT)] | None = None
    """Service account e-mail (name@project-id.iam.gserviceaccount.com) that the deployed model, batch and
    pipeline jobs run as, and that Cloud Scheduler uses to start scheduled batch prediction jobs."""
    kms_key_name: str | None = None
    network: str | None = None
    capture_destination: Uri | None = None
    pipeline_root: Uri | None = None
    """gs:// folder where retraining PipelineJobs write their outputs (`runtimeConfig.gcsOutputDirectory`);
    default: `mlopsc-pipelines/<model>/<environment>/` in the bucket of the Vertex artifact."""


class AzureMLPlatform(_Model):
    workspace: Annotated[str, StringConstraints(pattern=AZURE_WORKSPACE)]
    resource_group: Annotated[str, StringConstraints(pattern=AZURE_RESOURCE_GROUP)]
    region: Annotated[str, StringConstraints(pattern=AZURE_REGION)]
    capture_destination: Uri | None = None
    batch_compute: Annotated[str, StringConstraints(pattern=AZURE_COMPUTE)] | None = None
    """Name of the Azure ML compute cluster that runs batch scoring jobs (required for batch and hybrid)."""
    training_compute: Annotated[str, StringConstraints(pattern=AZURE_COMPUTE)] | None = None
    """Name of the Azure ML compute cluster for retraining pipeline jobs; default: serverless Standard_DS3_v2."""


class Platforms(_Model):
    kserve: KServePlatform | None = None
    sagemaker: SageMakerPlatform | None = None
    vertex: VertexPlatform | None = None
    azureml: AzureMLPlatform | None = None


# --- secrets ------------------------------------------------------------------------------------------


class SecretKeyRef(_Model):
    name: Annotated[str, StringConstraints(pattern=K8S_NAME)]
    key: Annotated[str, StringConstraints(pattern=SECRET_KEY)]


class KServeSecret(_Model):
    secret_key_ref: SecretKeyRef


class SecretEntry(_Model):
    kserve: KServeSecret | None = None
    sagemaker: Annotated[str, StringConstraints(pattern=AWS_SECRET_ARN)] | None = None
    vertex: Annotated[str, StringConstraints(pattern=GCP_SECRET)] | None = None
    azureml: (
        Annotated[
            str,
            StringConstraints(pattern=AZURE_SECRET_URL),
        ]
        | None
    ) = None


# --- the whole spec -----------------------------------------------------------------------------------


class Spec(_Model):
    """One environment's effective spec: the base document with that environment merged over it."""

    apiVersion: Annotated[str, StringConstraints(pattern=API_VERSION)]
    kind: Annotated[str, StringConstraints(pattern=KIND)]
    metadata: Metadata
    model: ModelSection
    serving: Serving
    rollout: Rollout = Rollout()
    monitoring: Monitoring | None = None
    retraining: Retraining | None = None
    governance: Governance
    platforms: Platforms
    secrets: dict[Annotated[str, StringConstraints(pattern=SECRET_NAME)], SecretEntry] = {}
