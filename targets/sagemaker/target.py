"""SageMaker: one CloudFormation template per model and environment (`template.yaml`).

Deploy with `aws cloudformation deploy --template-file template.yaml --stack-name <model>-<env>
--capabilities CAPABILITY_IAM` (the template may create an IAM policy for secrets and a role that
starts pipelines). Plain YAML; intrinsic functions only in long form (`Ref`, `Fn::GetAtt`, `Fn::Sub`).

What it renders:

- `AWS::SageMaker::Model` for each version the rollout model deploys (the new one, and the previous one
  whenever it is deployed): the prebuilt SageMaker image for framework, version, region and CPU/GPU
  (catalog.py) unless `serving.image` (or its `image_mirrors.sagemaker`); `ModelDataUrl` from the
  artifact (or `mirrors.sagemaker`); environment with secrets as `<VAR>_SECRET_ARN` = the Secrets Manager
  ARN (never a value) plus an `AWS::IAM::Policy` attached to the execution role (its name is the last
  segment of `execution_role_arn`) granting `secretsmanager:GetSecretValue` on exactly those ARNs.
  Its logical id is `Model<hash>` (the hash of its content), so a version keeps its resource when its role
  changes from new to previous at the next release.
- `AWS::SageMaker::EndpointConfig`: the instance type picked from `serving.resources` (GPU types
  when `gpu > 0`), `DataCaptureConfig`, `KmsKeyId`. Every property of a Model and an EndpointConfig but
  `Tags` is create-only, so their names end in a hash of their content without the tags
  (`<model>-<env>-<8 hex>`, the model part trimmed from the right to stay within 63 characters): a change
  creates a new one and the endpoint moves to it; a label edit updates tags in place.

## The commit is the state (rollout)

Each value of `rollout.traffic` is its own EndpointConfig whose production variants carry the decided live
shares (`plan.derived.rollout`) as `InitialVariantWeight`: SageMaker sends a request to a variant with
probability weight / sum of weights (API_ProductionVariant), per request, so 5% is 5% whatever the
instance count. A template rendered at `traffic: 5` holds the endpoint at 5% until the next commit;
`mlopsc rollout next|promote|abort` each change the weights (and `mlopsc diff` says `canary 5% -> 25%`).

- Variants are named by role: `new` (the version being rolled out) and `previous` (the live version it
  replaces). The rollout model keeps the previous version deployed whenever `rollout.previous` is set and
  the strategy is not all-at-once, at 0% after `promote` and the new one at 0% after `abort`, so every move
  and the next release keep the same two variants; canary, blue-green and A/B render alike (a strategy
  change renames nothing). Without a deployed previous version (first release, all-at-once) the endpoint
  has the one variant `new`. A variant at 0% keeps its instance floor (a real-time variant has at least one
  instance): after `promote` the previous version costs that floor until the next release replaces it or
  an all-at-once release (or removing `rollout.previous`) takes it out.
- Instance counts: with two production variants each is provisioned for its share of the maximum
  (`ceil(max x share)`, within the replica floor and the maximum), and the endpoint update does not retain
  the old counts (`ExcludeRetainedVariantProperties: DesiredInstanceCount`), so a variant going from 5% to
  95% is sized for 95% by the update itself; auto scaling then follows the load.
- Shadow: `previous` is the one production variant (weight 1) and answers every request; `new` is the one
  `ShadowProductionVariants` entry with weight = the mirrored share / 100 (see "Shadow" below).
- The update: `DeploymentConfig.BlueGreenUpdatePolicy` ALL_AT_ONCE with a 600 s bake (the latency alarm's
  10-minute window) and `AutoRollbackConfiguration` with the alarms named by `rollout.rollback.on`
  (latency_slo -> the p95 latency alarm, error_rate -> the 5XX alert alarm), which watch the `new` variant:
  SageMaker provisions the new fleet, moves all traffic to the new config's weights once it is healthy,
  and returns to the previous config if an alarm trips during the bake (deployment-guardrails-all-at-once,
  deployment-guardrails-configuration). Rendered only with rollback alarms (without, it is SageMaker's
  default update). SageMaker's own CANARY and LINEAR shifting are not used: they move traffic to the new
  config by themselves and end at its weights after their waits (a canary held at 10% in Git would reach
  100% on its own), and their sizes are whole instances (10% of 2 instances is one instance, half the
  traffic); the steps are Git commits.
- Auto-rollback acts only during an update (each `rollout next`, `promote`, `abort`, a new version):
  SageMaker watches the alarms in the bake, not afterwards; between commits the alarms notify (SNS) and
  `mlopsc rollout abort` is the way back.

## Shadow (`strategy: shadow`)

What AWS documents, and what the template does with it:

- One production and one shadow variant: "If you use this field, you can only specify one variant for
  ProductionVariants and one variant for ShadowProductionVariants" (API_CreateEndpointConfig,
  ShadowProductionVariants); more than one shadow is SGM009. The production variant "receives and responds to
  100 percent of the incoming inference requests"; the shadow "receives a percentage of the incoming requests,
  replicated from the production variant, but does not return any responses" (dg/shadow-tests-create.html).
- The share: the API reference defines InitialVariantWeight for production variants only (the ratio to the sum
  of the ProductionVariants' weights). What a shadow weight means is stated by AWS's shadow notebooks:
  "We set the InitialVariantWeight in the ShadowProductionVariants to sample and send 50% of the production
  variant requests to the shadow variant. The production variant receives 100% of the traffic", with production
  weight 1 and shadow weight 0.5 (github.com/aws/amazon-sagemaker-examples,
  archived/shadow-console/Shadow_variant.ipynb: relative to the production weight, not to the sum of both, which
  would be 33%), and "the traffic sampling percentage (VariantWeight parameter in the ShadowProductionVariants
  object)" (deploy_and_monitor/sm-shadow_variant_shadow_api). model-shadow-deployment.html sets both weights
  to 1. So the template renders the production weight 1 and the shadow weight = mirrored share / 100 (20% ->
  0.2): AWS's own form, in which the weight read against the production weight and read as the sampling
  fraction give the same share. (Before, production 100 and shadow 20: 20% by the ratio but not by the
  fraction reading.) The source is AWS's example code, not the API reference.
- Weights change only through a new EndpointConfig (each commit), never through UpdateEndpointWeightsAndCapacities,
  whose `DesiredWeightAndCapacity` "Specifies weight and capacity values for a production variant" (nothing is
  documented for a shadow); with auto scaling the endpoint update excludes `DesiredWeight` from the retained
  properties, so the new config's weights apply.
- Instances: the shadow is provisioned like the production variant (the replica floor, same instance type), as
  AWS recommends ("use the same instance type, size, and count", dg/shadow-tests-best-practices.html), and with
  auto scaling it is registered like the production variant ("we highly recommend that you configure
  autoscaling on your shadow variants", same page): its invocations are the copied requests. Endpoints with
  serverless or asynchronous inference, multi-container or multi-model endpoints and Inf1 instances cannot run
  shadow tests (dg/shadow-tests-exclusions.html); the template renders none of these.
- Variant names: `new` keeps its name from shadow to production, as AWS's own promotion does (the notebook above:
  "a new endpoint configuration with current ShadowProductionVariant as the new ProductionVariant and removing
  the ShadowProductionVariant", under the shadow's VariantName; StopInferenceExperiment's `Promote` action
  "Promote the shadow variant to a production variant"). `mlopsc rollout promote` refuses a shadow (mirrored
  traffic answers nobody): ending it is a strategy change, for example `strategy: canary`, which renders `new` and
  `previous` as production variants. The production variant names then change (`previous` -> `new`,
  `previous`), so under rollback alarms the guardrails need two commits (below); starting a shadow from a split
  too. With auto scaling, a production variant that becomes the shadow leaves the production variants, read as
  a removal (endpoint-scaling-update: AWS does not say a scalable target may follow a variant into shadow
  mode): auto scaling off first. tests/test_sagemaker_lifecycle.py walks first deploy with a shadow, share
  changes, abort, the end as a canary and its promote through the planner.
- Not `AWS::SageMaker::InferenceExperiment` (ShadowModeConfig.SamplingPercentage, "The percentage of inference
  requests that Amazon SageMaker replicates from the production variant to the shadow variant"): an experiment
  deploys its own variants (`ModelVariants` with their InstanceType and InstanceCount) onto the endpoint named by
  `EndpointName` ("SageMaker will update that endpoint with the new model variants", the API notebook), under an
  endpoint config of its own (the read-only `EndpointMetadata.EndpointConfigName`), so the stack's
  AWS::SageMaker::Endpoint no longer has the EndpointConfig the template declares (drift); and "The default
  duration is 7 days and the maximum is 30 days. After the test is complete, the endpoint reverts to the state it
  was in prior to starting the test" (shadow-tests-create; API_InferenceExperimentSchedule): a shadow held in Git
  longer would end without a commit, and a `Promote` at its end changes the production variant outside the
  stack. The commit would no longer be the state.

## Updates that need two commits (`mlopsc diff` says so)

- SageMaker's deployment guardrails need the new config to have the old one's variant names
  (deployment-guardrails-exclusions): starting a split on an endpoint that served one version alone (the
  first rollout with `rollout.previous`, or after all-at-once), or going back to one version, under rollback
  alarms: first commit with `rollout.rollback.on: []`, then put the alarms back.
- Application Auto Scaling refuses an endpoint update that changes the instance type of an autoscaled
  variant or removes one (endpoint-scaling-update), and CloudFormation deregisters a removed ScalableTarget
  only in the cleanup phase, after the endpoint update: first commit with `serving.replicas.max` equal to
  `min` (auto scaling off), then the change (and the replicas back).

Sources (AWS): sagemaker/latest/APIReference/API_ProductionVariant.html (InitialVariantWeight),
API_UpdateEndpoint.html (RetainAllVariantProperties, ExcludeRetainedVariantProperties),
API_TrafficRoutingConfig.html and API_CapacitySize.html; sagemaker/latest/dg/deployment-guardrails-blue-green.html,
-all-at-once, -canary, -configuration and -exclusions; endpoint-scaling-update.html and
endpoint-scaling-loadtest.html; model-shadow-deployment.html, shadow-tests-create.html, -best-practices and
-exclusions; API_InferenceExperimentSchedule.html; aws/amazon-sagemaker-examples shadow notebooks;
AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html and -monitor-stack.html;
TemplateReference/aws-properties-name.html (custom names cannot be replaced); the create-only properties of each
resource type from cfn-lint's schemas.

The update planner in the tests (tests/behaviour/cfn.py, tests/behaviour/sagemaker.py) applies the
rendered templates one after the other with these rules, each citing its AWS page, and
tests/test_sagemaker_lifecycle.py walks first deploy, every canary step, promote, abort, a new version,
strategy changes, an instance type change, owner and label edits through it.

## Other resources

- Autoscaling when max replicas > min: an `AWS::ApplicationAutoScaling::ScalableTarget` per
  variant (the shadow too) and a target-tracking policy on `SageMakerVariantInvocationsPerInstance`, a
  per-minute metric: TargetValue = rps_per_replica x 0.5 x 60 (AWS's load-testing guide,
  endpoint-scaling-loadtest: MAX_RPS x SAFETY_FACTOR x 60, starting at 0.5). The endpoint then sets
  `RetainAllVariantProperties: true` (an update keeps the autoscaled instance count of a single variant)
  excluding `DesiredWeight` and `DataCaptureConfig` (new weights and capture settings do apply).
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
  SageMaker's 63 characters is refused, SGM012), so environments that share one AWS account do not collide;
  the retraining step registers into the same group (`MODEL_PACKAGE_GROUP`). Its description is create-only
  under a fixed name, so it holds nothing that changes; the owner is the `mlopsc-owner` tag.
- Batch (`serving.mode` batch or hybrid): an `AWS::SageMaker::Pipeline` with one Transform step
  (input_uri -> output_uri on the serving instance type) started by an `AWS::Scheduler::Schedule` on
  the batch cron (5-field POSIX cron -> AWS 6-field `cron(...)`, UTC). Retraining: a Pipeline with
  one Training step (`retraining.pipeline.image`/`mirrors.sagemaker`, `command` as entry point, output
  to `platforms.sagemaker.training_output_uri` or `mlopsc-training/<model>/<env>/` in the artifact's
  bucket) on `retraining.schedule`, plus an `AWS::Events::Rule` on the drift alarms for the `drift`
  trigger. The `quality` trigger is not wired (SGM021: it needs a model-quality monitor fed with
  ground truth). Schedules and rules assume `platforms.sagemaker.scheduler_role_arn`, else a role the
  template creates, allowed to start exactly these pipelines.
- Tags from the labels on every taggable resource (`mlopsc-version`: the version the resource serves).
  Tags are the only updatable property of a Model and an EndpointConfig, so they are left out of the
  name hashes: a label edit updates tags in place and redeploys nothing. Outputs: endpoint name and ARN, pipeline names,
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
| SGM030 | error | `serving.replicas.min: 0` (a real-time variant keeps at least 1 instance) |

Edge and embedded serving are refused by the core (rule R000) before this target runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from mlopsc.compiler.ir import Document, Finding, Json, Options, Plan, Stack
from mlopsc.targets.base import Emission, FieldMapping, Resolution
from mlopsc.targets.capabilities import Capabilities
from mlopsc.targets.sagemaker.capabilities import CAPABILITIES
from mlopsc.targets.sagemaker.resolve import resolve
from mlopsc.targets.sagemaker.template import Builder
from mlopsc.targets.sagemaker.transition import blocked_updates


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
            "SageMakerVariantInvocationsPerInstance = rps x 0.5 x 60",
        ),
        FieldMapping(
            "rollout (canary, blue-green, A/B) / traffic",
            "ProductionVariants new / previous InitialVariantWeight",
            "the decided live shares; one EndpointConfig per traffic value",
        ),
        FieldMapping(
            "rollout shadow",
            "ShadowProductionVariants [new] InitialVariantWeight",
            "mirrored share / 100 beside the production weight 1",
        ),
        FieldMapping(
            "rollout.rollback.on",
            "DeploymentConfig AutoRollbackConfiguration.Alarms",
            "ALL_AT_ONCE update with a 600 s bake",
        ),
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

    def transition(self, before: Json, after: Json) -> tuple[str, ...]:
        return blocked_updates(before, after)
