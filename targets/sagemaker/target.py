"""SageMaker: one CloudFormation template per model and environment (`template.yaml`).

Deploy with `aws cloudformation deploy --template-file template.yaml --stack-name <model>-<env>
--capabilities CAPABILITY_IAM` (the template may create an IAM policy for secrets and a role that
starts pipelines). Plain YAML; intrinsic functions only in long form (`Ref`, `Fn::GetAtt`, `Fn::Sub`).

What it renders:

- `AWS::SageMaker::Model` for the new version (and the previous one for A/B and shadow): the prebuilt
  SageMaker image for framework, version, region and CPU/GPU (catalog.py) unless `serving.image`
  (or its `image_mirrors.sagemaker`); `ModelDataUrl` from the artifact (or `mirrors.sagemaker`);
  environment with secrets as `<VAR>_SECRET_ARN` = the Secrets Manager ARN (never a value) plus an
  `AWS::IAM::Policy` attached to the execution role (its name is the last segment of
  `execution_role_arn`) granting `secretsmanager:GetSecretValue` on exactly those ARNs.
- `AWS::SageMaker::EndpointConfig`: the instance type picked from `serving.resources` (GPU types
  when `gpu > 0`), `InitialInstanceCount` = derived min replicas (at least 1), `DataCaptureConfig`,
  `KmsKeyId`. Models, endpoint configs and the data-quality job definition are immutable in AWS, so
  their names end in a hash of their content (`<model>-<env>-<8 hex>`, the model part trimmed from
  the right to stay within 63 characters): a change creates a new one and the endpoint update is a
  real blue/green deployment.
- Stable variant names (AWS requires the old and new config to share them for a blue/green update):
  `primary` serves; A/B has `champion` (previous, weight 100 - traffic) and `challenger` (new, weight
  traffic); shadow keeps `primary` (the previous, live version) and adds exactly one
  `ShadowProductionVariants` entry `shadow` (the new version) with `InitialVariantWeight` = traffic / 100
  against primary's 1.0. That share-to-weight reading could not be confirmed in AWS docs (the documented
  `SamplingPercentage` belongs to InferenceExperiment); check the shadow share after deploying.
  Changing strategy between A/B and the others changes variant names: that update is not blue/green.
- `AWS::SageMaker::Endpoint` with `DeploymentConfig.BlueGreenUpdatePolicy` (rollout.py: CANARY for
  a canary with up to two steps, LINEAR with the first step's size for three or more, ALL_AT_ONCE
  otherwise; 600 s between shifts = the latency alarm's 10-minute window, the old fleet kept 600 s
  when alarms can roll back) and `AutoRollbackConfiguration` with the alarms named by
  `rollout.rollback.on` (latency_slo -> the p95 latency alarm, error_rate -> the 5XX alert alarm).
- Autoscaling when max replicas > min: an `AWS::ApplicationAutoScaling::ScalableTarget` per
  production variant and a target-tracking policy on `SageMakerVariantInvocationsPerInstance`, a
  per-minute metric: TargetValue = rps_per_replica x 60. The endpoint then sets
  `RetainAllVariantProperties: true` (an update keeps the autoscaled instance count) excluding
  `DesiredWeight` and `DataCaptureConfig` (new weights and capture settings do apply). AWS refuses an
  update that changes the instance type of an autoscaled variant: deregister the target first.
- `AWS::CloudWatch::Alarm`s on the variant carrying the new version: `<model>-<env>-latency-p95`
  (p95 `ModelLatency`, in microseconds: the derived latency alert x 1000, for the derived minutes at 60 s
  periods), `<model>-<env>-5xx-rate-alert` and `-page` (metric math 100 x Invocation5XXErrors /
  Invocations above the derived rates, 5 minutes). With `monitoring.alerts.emails` an SNS topic with
  email subscriptions is every alarm's action.
- Drift: `AWS::SageMaker::DataQualityJobDefinition` (built-in analyzer image, KMS on output and
  volume, inter-container encryption, network isolation) + an hourly `MonitoringSchedule` (the finest
  schedule Model Monitor accepts) + per feature an alarm on `feature_baseline_drift_<feature>` above the
  retrain threshold. SageMaker does not compute PSI (or KS, chi2, JS as the spec names them): it
  publishes the L-infinity distance between the captured and the baseline distribution; the spec's
  thresholds are applied unchanged to that distance (warning SGM016, and `explain`). The baseline is
  `constraints.json` + `statistics.json` under `platforms.sagemaker.baseline_uri` (default
  `baseline/` under the capture destination), produced by a baselining job over the training data.
  AWS says Model Monitor is no longer open to new customers: a new account may not create these.
- Registry: `AWS::SageMaker::ModelPackageGroup` named `<model>-<environment>`, like the endpoint (a name over
  SageMaker's 63 characters is refused, SGM012), so environments that share one AWS account do not collide.
- Batch (`serving.mode` batch or hybrid): an `AWS::SageMaker::Pipeline` with one Transform step
  (input_uri -> output_uri on the serving instance type) started by an `AWS::Scheduler::Schedule` on
  the batch cron (5-field POSIX cron -> AWS 6-field `cron(...)`, UTC). Retraining: a Pipeline with
  one Training step (`retraining.pipeline.image`/`mirrors.sagemaker`, `command` as entry point, output
  to `platforms.sagemaker.training_output_uri` or `mlopsc-training/<model>/<env>/` in the artifact's
  bucket) on `retraining.schedule`, plus an `AWS::Events::Rule` on the drift alarms for the `drift`
  trigger. The `quality` trigger is not wired (SGM021: it needs a model-quality monitor fed with
  ground truth). Schedules and rules assume `platforms.sagemaker.scheduler_role_arn`, else a role the
  template creates, allowed to start exactly these pipelines.
- Tags from the labels on every taggable resource; outputs: endpoint name and ARN, pipeline names,
  model package group ARN.

Network isolation: `platforms.sagemaker.network_isolation` unset means true, unless `serving.env`
references secrets: an isolated container cannot reach Secrets Manager, so isolation is turned off
(a resolved decision and warning SGM007; Checkov CKV_AWS_370 will flag it). Explicitly true with
secrets is refused (SGM008).

KMS: `kms_key_id` goes to the EndpointConfig, data capture, the monitoring job's output and volume,
and batch/training output and volumes, except that SageMaker rejects a volume key on instance types
with local NVMe storage (g4dn, g5 and the other families in `catalog.LOCAL_STORAGE_FAMILIES`): there the
EndpointConfig and job volume keys are left out (warning SGM014).

| code | severity | when |
| --- | --- | --- |
| SGM001 | error | no prebuilt image for framework / version / region / GPU, and no `serving.image` |
| SGM002 | error | `serving.image` is not in Amazon ECR (add `serving.image_mirrors.sagemaker`) |
| SGM003 | error | the artifact is not on S3 (add `model.artifact.mirrors.sagemaker`) |
| SGM004 | warning | the artifact does not end in .tar.gz (prebuilt containers unpack model.tar.gz) |
| SGM005 | error | no hosting instance type fits `serving.resources` in the region, or unknown `gpu_type` |
| SGM006 | error | a referenced secret has no `sagemaker` ARN |
| SGM007 | warning | network isolation turned off because the container reads secrets |
| SGM008 | error | `network_isolation: true` together with secrets |
| SGM009 | error | more than one shadow variant |
| SGM010 | error | canary size or linear step above 50% (or below 1%) |
| SGM011 | warning | a linear step below 10% raised to 10% |
| SGM012 | error | a fixed resource name over SageMaker's / EventBridge's length limit |
| SGM013 | error | the capture destination is not s3:// |
| SGM014 | warning | KMS volume key left out on an instance type with local storage |
| SGM015 | error | drift monitoring without data capture |
| SGM016 | warning | drift thresholds applied to SageMaker's distance, not the spec's statistic |
| SGM017 | error | no Model Monitor image for the region |
| SGM018 | error | batch input or output not on S3 |
| SGM019 | error | a cron expression AWS cannot express |
| SGM020 | error | the retraining image is not in Amazon ECR |
| SGM021 | warning | the quality retraining trigger is not wired |
| SGM022 | warning | production without a KMS key |
| SGM023 | warning | capture sample percent rounded to a whole number |
| SGM026 | warning | drift retraining trigger without drift monitoring |
| SGM027 | error | gRPC (SageMaker endpoints are HTTPS only) |
| SGM029 | warning | rollback asked but no alarm exists for it |

Edge and embedded serving are refused by the core (rule R000) before this target runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from mlopsc.compiler.ir import Document, Finding, Options, Plan, Stack
from mlopsc.targets.base import Emission, FieldMapping, Resolution
from mlopsc.targets.capabilities import Capabilities
from mlopsc.targets.sagemaker.capabilities import CAPABILITIES
from mlopsc.targets.sagemaker.resolve import resolve
from mlopsc.targets.sagemaker.template import Builder


class SageMaker:
    name: ClassVar[str] = "sagemaker"
    title: ClassVar[str] = "Amazon SageMaker (CloudFormation)"
    code_prefix: ClassVar[str] = "SGM"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    mapping: ClassVar[tuple[FieldMapping, ...]] = (
        FieldMapping(
            "metadata.name + environment", "EndpointName `<model>-<env>`", "hash-suffixed Model/EndpointConfig"
        ),
        FieldMapping("metadata.labels", "Tags of every taggable resource", "plus mlopsc-model/-environment/-version"),
        FieldMapping("model.framework", "Model PrimaryContainer.Image", "prebuilt SageMaker image (catalog.py)"),
        FieldMapping("model.artifact.uri / mirrors.sagemaker", "Model PrimaryContainer.ModelDataUrl", "s3:// only"),
        FieldMapping("serving.image / image_mirrors.sagemaker", "Model PrimaryContainer.Image", "ECR only"),
        FieldMapping("serving.env", "Model PrimaryContainer.Environment", "secrets as <VAR>_SECRET_ARN + IAM policy"),
        FieldMapping("serving.resources", "ProductionVariants[].InstanceType", "smallest fitting ml.* type"),
        FieldMapping("serving.replicas (R002)", "InitialInstanceCount; ScalableTarget Min/MaxCapacity"),
        FieldMapping(
            "serving.scale.rps_per_replica",
            "ScalingPolicy TargetValue",
            "SageMakerVariantInvocationsPerInstance = rps x 60",
        ),
        FieldMapping("rollout canary", "Endpoint DeploymentConfig TrafficRoutingConfiguration", "CANARY / LINEAR"),
        FieldMapping("rollout blue-green / all-at-once", "TrafficRoutingConfiguration ALL_AT_ONCE"),
        FieldMapping("rollout ab", "ProductionVariants champion / challenger", "InitialVariantWeight"),
        FieldMapping("rollout shadow", "ShadowProductionVariants [shadow]", "one shadow only"),
        FieldMapping("rollout.rollback.on", "DeploymentConfig.AutoRollbackConfiguration.Alarms"),
        FieldMapping("monitoring.slo / R007", "CloudWatch alarms latency-p95, 5xx-rate-alert, 5xx-rate-page"),
        FieldMapping(
            "monitoring.capture / platforms.sagemaker.capture_destination", "EndpointConfig DataCaptureConfig"
        ),
        FieldMapping(
            "monitoring.drift", "DataQualityJobDefinition + MonitoringSchedule + drift alarms", "L-infinity distance"
        ),
        FieldMapping("monitoring.quality", "(not rendered)", "needs ground truth; SGM021 for the trigger"),
        FieldMapping("monitoring.alerts.emails", "SNS topic subscriptions, alarm actions"),
        FieldMapping("serving.batch", "Pipeline (Transform step) + Scheduler schedule"),
        FieldMapping("retraining", "Pipeline (Training step) + Scheduler schedule + Events rule on drift alarms"),
        FieldMapping("platforms.sagemaker.kms_key_id", "KmsKeyId of config, capture, monitoring, jobs"),
        FieldMapping("platforms.sagemaker.network_isolation", "Model EnableNetworkIsolation", "off with secrets"),
        FieldMapping("platforms.sagemaker.vpc_config", "Model / job VpcConfig"),
        FieldMapping("platforms.sagemaker.execution_role_arn", "Model ExecutionRoleArn, job RoleArn"),
        FieldMapping("platforms.sagemaker.baseline_uri", "DataQualityBaselineConfig"),
        FieldMapping("platforms.sagemaker.scheduler_role_arn", "Scheduler / Events target RoleArn"),
        FieldMapping("platforms.sagemaker.training_output_uri", "Training OutputDataConfig.S3OutputPath"),
        FieldMapping("(registry)", "ModelPackageGroup `<model>-<environment>`"),
    )

    def resolve(self, plan: Plan) -> Resolution:
        return resolve(plan)

    def emit(self, plan: Plan, stack: Stack) -> Emission:
        builder = Builder(plan, stack)
        body = builder.build()
        return Emission(
            (Document("template.yaml", "CloudFormation", "yaml", body),),
            tuple(builder.findings),
            tuple(builder.decisions),
        )

    def check(self, documents: Sequence[Document], options: Options) -> tuple[Finding, ...]:
        return ()
