"""Build the one CloudFormation template of a plan (see target.py for what maps where and why).

Plain data only; intrinsic functions in their long form (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`,
`{"Fn::Sub": ...}`). Names that SageMaker needs at compile time (model, endpoint config, endpoint)
are literal, with `DependsOn` where no `Ref`/`GetAtt` already orders the resources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from mlopsc.compiler.ir import Decision, Finding, Json, Plan, Stack, required
from mlopsc.compiler.rolloutstate import Role, ServingVersion
from mlopsc.compiler.spec.typed import SageMakerPlatform, SecretRef
from mlopsc.compiler.spec.vocabulary import RetrainTrigger, RollbackAlarm
from mlopsc.targets.base import artifact_uri, labels_for, resolved, warn
from mlopsc.targets.sagemaker import catalog
from mlopsc.targets.sagemaker.naming import hashed_name, logical_id, short_hash
from mlopsc.targets.sagemaker.resolve import NAME, capture_of, secrets_of
from mlopsc.targets.sagemaker.rollout import BAKE_S, Variant, deployment, instance_count, variants
from mlopsc.targets.sagemaker.stack import SageMakerStack

PERIOD_S = 60
ERROR_MINUTES = 5
MONITOR_INSTANCE = "ml.m5.xlarge"
MONITOR_SCHEDULE = "cron(0 * ? * * *)"  # hourly: the finest schedule Model Monitor accepts
TRAINING_TIMEOUT_S = 86400
PIPELINE_ARN = "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:pipeline/${%s}"
SCALE_IN_COOLDOWN_S, SCALE_OUT_COOLDOWN_S = 300, 60
SAFETY_FACTOR = 0.5
"""SageMakerVariantInvocationsPerInstance = MAX_RPS x SAFETY_FACTOR x 60; AWS recommends starting at 0.5
(https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-loadtest.html)."""


@dataclass
class Builder:
    plan: Plan
    stack: Stack
    resources: dict[str, Json] = field(default_factory=dict)
    outputs: dict[str, Json] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    model_names: dict[Role, str] = field(default_factory=dict)  # the version's role -> ModelName
    model_ids: dict[Role, str] = field(default_factory=dict)  # the version's role -> logical id

    # --- helpers -------------------------------------------------------------------------------------

    @property
    def sm(self) -> SageMakerStack:
        """What resolve.py resolved, typed."""
        return SageMakerStack.of(self.stack)

    @property
    def platform(self) -> SageMakerPlatform:
        platform = self.plan.spec.platforms.sagemaker
        assert platform is not None
        return platform

    @property
    def base(self) -> str:
        return f"{self.plan.model_name}-{self.plan.environment}"

    @property
    def tags(self) -> list[Json]:
        return self.tags_for(self.plan.spec.model.version)

    def tags_for(self, version: str, **extra: str) -> list[Json]:
        """Tags: the labels, the model's identity and the version the resource serves. Tags are the one
        updatable property of a Model and an EndpointConfig (cfn-lint's schemas), so they stay out of the
        name hashes: a label edit updates tags in place and redeploys nothing."""
        labels = labels_for(self.plan)
        labels["mlopsc-version"] = version
        labels.update(extra)
        return [{"Key": k, "Value": v} for k, v in sorted(labels.items())]

    @property
    def package_group(self) -> str:
        """The model package group of this model and environment (the retraining step registers into it)."""
        return f"{self.plan.model_name}-{self.plan.environment}"

    @property
    def kms(self) -> str | None:
        key: str | None = self.platform.kms_key_id
        return key

    @property
    def instance_type(self) -> str:
        return required(self.sm.instance_type, "instance_type")

    @property
    def volume_kms(self) -> str | None:
        """The KMS key for volumes of the picked instance type (None on local-storage types)."""
        return None if catalog.has_local_storage(self.instance_type) else self.kms

    def add(self, logical: str, type_: str, properties: dict[str, Json], depends: list[str] | None = None) -> None:
        resource: dict[str, Json] = {"Type": type_, "Properties": properties}
        if depends:
            resource["DependsOn"] = list(depends)
        self.resources[logical] = resource

    def vpc(self) -> dict[str, Json] | None:
        vpc = self.platform.vpc_config
        if vpc is None:
            return None
        return {"SecurityGroupIds": list(vpc.security_group_ids), "Subnets": list(vpc.subnets)}

    # --- models --------------------------------------------------------------------------------------

    def model(self, version: ServingVersion) -> str:
        """The Model of one deployed version. Its name hashes its content and its logical id is `Model<hash>`,
        so a version keeps its resource when its role changes (the new version of one release is the previous
        one of the next): a logical id per role would create the same physical name under another logical id
        while the old one still holds it, which fails (CloudFormation deletes the old one only in cleanup)."""
        spec = self.plan.spec
        uri = version.artifact.location(NAME)
        env: dict[str, Json] = {}
        for var, value in sorted(spec.serving.env.items()):
            if isinstance(value, SecretRef):
                continue
            env[var] = value
        for var, arn in secrets_of(self.plan).items():
            env[f"{var}_SECRET_ARN"] = arn
        if self.sm.triton_model is not None:  # resolve.py: ONNX served by Triton
            env["SAGEMAKER_TRITON_DEFAULT_MODEL_NAME"] = self.sm.triton_model
        container: dict[str, Json] = {"Image": required(self.sm.image, "image"), "ModelDataUrl": uri}
        if env:
            container["Environment"] = env
        props: dict[str, Json] = {
            "ExecutionRoleArn": self.platform.execution_role_arn,
            "EnableNetworkIsolation": self.sm.network_isolation == "true",
            "PrimaryContainer": container,
        }
        vpc = self.vpc()
        if vpc:
            props["VpcConfig"] = vpc
        body: Json = {"version": version.version, "properties": props}
        name = hashed_name(self.plan.model_name, self.plan.environment, body)
        logical = logical_id("model", short_hash(body))
        props["ModelName"] = name
        props["Tags"] = self.tags_for(version.version)
        depends = ["SecretsPolicy"] if "SecretsPolicy" in self.resources else None
        self.add(logical, "AWS::SageMaker::Model", props, depends)
        self.model_names[version.role] = name
        self.model_ids[version.role] = logical
        return name

    def secrets_policy(self) -> None:
        arns = sorted(set(secrets_of(self.plan).values()))
        if not arns:
            return
        role = self.platform.execution_role_arn.rsplit("/", 1)[-1]
        self.add(
            "SecretsPolicy",
            "AWS::IAM::Policy",
            {
                "PolicyName": f"{self.base}-secrets",
                "Roles": [role],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReadServingSecrets",
                            "Effect": "Allow",
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": list(arns),
                        }
                    ],
                },
            },
        )
        self.decisions.append(
            resolved(
                NAME,
                "sagemaker.secrets",
                [f"{v}_SECRET_ARN" for v in secrets_of(self.plan)],
                f"the container gets each secret's ARN (never its value) and role `{role}` may call "
                "secretsmanager:GetSecretValue on exactly those ARNs (a customer-managed key on a secret also "
                "needs kms:Decrypt)",
            )
        )

    # --- endpoint ------------------------------------------------------------------------------------

    def variants(self) -> list[Variant]:
        return variants(self.plan)

    def endpoint(self) -> None:
        spec = self.plan.spec
        state = self.plan.derived.rollout
        variants = self.variants()
        shadows = [v for v in variants if v.shadow]
        split = state.previous is not None and not state.shadow  # two production variants
        # R004's startup budget bounds both the artifact download and the first health check (AWS: 60-3600 s)
        startup = max(60, min(3600, self.plan.derived.startup_timeout_s))

        def variant_body(v: Variant) -> Json:
            return {
                "VariantName": v.name,
                "ModelName": self.model_names[v.role],
                "InstanceType": self.instance_type,
                "InitialInstanceCount": instance_count(self.plan, v, split),
                "InitialVariantWeight": v.weight,
                "ModelDataDownloadTimeoutInSeconds": startup,
                "ContainerStartupHealthCheckTimeoutInSeconds": startup,
            }

        props: dict[str, Json] = {"ProductionVariants": [variant_body(v) for v in variants if not v.shadow]}
        if shadows:
            props["ShadowProductionVariants"] = [variant_body(v) for v in shadows]
        if self.volume_kms:
            props["KmsKeyId"] = self.volume_kms
        capture = capture_of(self.plan)
        if capture is not None:
            destination, _, sample = capture
            config: dict[str, Json] = {
                "EnableCapture": True,
                "DestinationS3Uri": destination,
                "InitialSamplingPercentage": round(sample),
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            }
            if self.kms:
                config["KmsKeyId"] = self.kms
            props["DataCaptureConfig"] = config
        config_name = hashed_name(self.plan.model_name, self.plan.environment, props)
        props["EndpointConfigName"] = config_name
        props["Tags"] = self.tags
        self.add(
            "EndpointConfig",
            "AWS::SageMaker::EndpointConfig",
            props,
            sorted({self.model_ids[v.role] for v in variants}),
        )
        self.decisions.append(
            resolved(
                NAME,
                "sagemaker.variants",
                [
                    f"{v.name}{' (shadow)' if v.shadow else ''}: {v.version} ({self.model_names[v.role]}) "
                    f"weight {v.weight:g}"
                    for v in variants
                ],
                self._variants_reason(variants),
            )
        )

        autoscale = self.plan.derived.replicas_max > self.plan.derived.replicas_min
        rollback_alarms = self.rollback_alarms()
        endpoint: dict[str, Json] = {
            "EndpointName": self.base,
            "EndpointConfigName": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]},
            "Tags": self.tags,
        }
        policy = deployment([{"Ref": a} for a in rollback_alarms])
        if policy is not None:
            endpoint["DeploymentConfig"] = policy
        self.decisions.append(
            resolved(
                NAME,
                "sagemaker.update",
                f"ALL_AT_ONCE, {BAKE_S} s bake watched by {len(rollback_alarms)} alarm(s)"
                if policy
                else "SageMaker's default blue/green update",
                "each commit is a new EndpointConfig with the decided weights; a blue/green update moves the endpoint "
                "to it once the new fleet is healthy"
                + (
                    ", and an alarm of `rollout.rollback.on` that trips during the bake returns it to the previous "
                    "config. SageMaker's guardrails need the old config's variant names: an update that adds or drops "
                    "a variant fails with them, and `mlopsc diff` says how to apply it in two commits"
                    if policy
                    else " (no rollback alarm: nothing to watch)"
                ),
            )
        )
        if autoscale:
            excluded = ["DesiredWeight", "DataCaptureConfig"] + (["DesiredInstanceCount"] if split else [])
            endpoint["RetainAllVariantProperties"] = True
            endpoint["ExcludeRetainedVariantProperties"] = [{"VariantPropertyType": p} for p in sorted(excluded)]
        self.add("Endpoint", "AWS::SageMaker::Endpoint", endpoint)
        self.outputs["EndpointName"] = {
            "Description": "SageMaker endpoint name",
            "Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]},
        }
        self.outputs["EndpointArn"] = {"Description": "SageMaker endpoint ARN", "Value": {"Ref": "Endpoint"}}
        if autoscale:  # the shadow too: "we highly recommend that you configure autoscaling on your shadow
            # variants" (dg/shadow-tests-best-practices.html), its invocations are the copied requests
            for v in variants:
                self.autoscaling(v.name)
        if spec.rollout.rollback.on and not rollback_alarms:
            self.findings.append(
                warn(
                    "SGM029",
                    "no alarm exists for the rollback conditions: the update cannot roll back automatically",
                    ("rollout", "rollback", "on"),
                    "set `monitoring.slo.p95_latency_ms` or `serving.scale.latency_ms`",
                )
            )

    def _variants_reason(self, variants: list[Variant]) -> str:
        if any(v.shadow for v in variants):
            return (
                "shadow: `previous` (the live version, weight 1) answers every request; the new version is the one "
                "ShadowProductionVariant `new`, weight = the mirrored share / 100: AWS's shadow example sets the "
                "production weight 1 and the shadow weight 0.5 to copy 50% of requests (amazon-sagemaker-examples "
                "Shadow_variant.ipynb), the one form in which the shadow weight read against the production weight "
                "and read as the sampling fraction agree"
            )
        if len(variants) > 1:
            return (
                "one production variant per deployed version, named by role (`new`, `previous`), weights the decided "
                "live shares: SageMaker sends each request to a variant with probability weight / sum of weights "
                "(API_ProductionVariant); the previous version stays deployed at 0% after promote, so abort and the "
                "next version keep the same two variants"
            )
        return "one production variant `new`: no previous version is deployed"

    def autoscaling(self, variant: str) -> None:
        d = self.plan.derived
        target_id = logical_id("scalable", "target", variant)
        self.add(
            target_id,
            "AWS::ApplicationAutoScaling::ScalableTarget",
            {
                "ServiceNamespace": "sagemaker",
                "ResourceId": f"endpoint/{self.base}/variant/{variant}",
                "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "MinCapacity": d.instances_min,
                "MaxCapacity": d.replicas_max,
            },
            ["Endpoint"],
        )
        target = round(d.rps_per_replica * SAFETY_FACTOR * 60, 3)
        self.add(
            logical_id("scaling", "policy", variant),
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            {
                "PolicyName": f"{self.base}-{variant}-invocations",
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": {"Ref": target_id},
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": float(target),
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
                    "ScaleInCooldown": SCALE_IN_COOLDOWN_S,
                    "ScaleOutCooldown": SCALE_OUT_COOLDOWN_S,
                },
            },
        )
        self.decisions.append(
            resolved(
                NAME,
                f"sagemaker.autoscaling.{variant}",
                f"{d.instances_min}-{d.replicas_max} instances, {target:g} invocations/instance/minute",
                f"SageMakerVariantInvocationsPerInstance counts per minute: {d.rps_per_replica:g} rps a replica can "
                f"serve x safety factor {SAFETY_FACTOR:g} x 60 (AWS's load-testing guide, endpoint-scaling-loadtest: "
                "start at 0.5 so that clients never reach the maximum before new instances are in service)",
            )
        )

    # --- alarms --------------------------------------------------------------------------------------

    def alarm_variant(self) -> str:
        """The variant carrying the new version: what the alarms (and so the rollback) watch."""
        return Role.NEW.value

    def dimensions(self) -> list[Json]:
        return [{"Name": "EndpointName", "Value": self.base}, {"Name": "VariantName", "Value": self.alarm_variant()}]

    def alarm(self, logical: str, props: dict[str, Json]) -> None:
        topic = self.resources.get("AlertTopic")
        if topic is not None:
            props["AlarmActions"] = [{"Ref": "AlertTopic"}]
        props["Tags"] = self.tags
        props.setdefault("TreatMissingData", "notBreaching")
        self.add(logical, "AWS::CloudWatch::Alarm", props, ["Endpoint"] if "Endpoint" in self.resources else None)

    def alert_topic(self) -> None:
        mon = self.plan.spec.monitoring
        emails = list(mon.alerts.emails) if mon else []
        if not emails:
            return
        props: dict[str, Json] = {
            "TopicName": f"{self.base}-alerts",
            "Subscription": [{"Protocol": "email", "Endpoint": e} for e in emails],
            "Tags": self.tags,
        }
        if self.kms:
            props["KmsMasterKeyId"] = self.kms
        self.add("AlertTopic", "AWS::SNS::Topic", props)

    def rollback_alarms(self) -> list[str]:
        """Create the latency and error-rate alarms; return the logical ids named by rollout.rollback.on."""
        d = self.plan.derived
        out: dict[RollbackAlarm, str] = {}
        if d.latency_alert_ms is not None:
            threshold = round(d.latency_alert_ms * 1000)
            self.alarm(
                "LatencyAlarm",
                {
                    "AlarmName": f"{self.base}-latency-p95",
                    "AlarmDescription": (
                        f"p95 ModelLatency of {self.plan.model_name} ({self.plan.environment}, variant "
                        f"{self.alarm_variant()}) above {d.latency_alert_ms:g} ms for {d.latency_alert_minutes} minutes"
                    ),
                    "Namespace": "AWS/SageMaker",
                    "MetricName": "ModelLatency",
                    "Dimensions": self.dimensions(),
                    "ExtendedStatistic": "p95",
                    "Unit": "Microseconds",
                    "Period": PERIOD_S,
                    "EvaluationPeriods": d.latency_alert_minutes,
                    "DatapointsToAlarm": d.latency_alert_minutes,
                    "Threshold": threshold,
                    "ComparisonOperator": "GreaterThanThreshold",
                },
            )
            out[RollbackAlarm.LATENCY_SLO] = "LatencyAlarm"
        for level, rate in (("alert", d.error_rate_alert), ("page", d.error_rate_page)):
            logical = logical_id("error", "rate", level, "alarm")
            percent = round(rate * 100, 6)
            self.alarm(
                logical,
                {
                    "AlarmName": f"{self.base}-5xx-rate-{level}",
                    "AlarmDescription": (
                        f"5XX error rate of {self.plan.model_name} ({self.plan.environment}, variant "
                        f"{self.alarm_variant()}) above {percent:g}% of invocations for {ERROR_MINUTES} minutes "
                        f"({level})"
                    ),
                    "Metrics": [
                        self._metric("errors", "Invocation5XXErrors"),
                        self._metric("invocations", "Invocations"),
                        {
                            "Id": "rate",
                            "Label": "5XX error rate (percent)",
                            "Expression": "100 * errors / invocations",
                            "ReturnData": True,
                        },
                    ],
                    "EvaluationPeriods": ERROR_MINUTES,
                    "DatapointsToAlarm": ERROR_MINUTES,
                    "Threshold": percent,
                    "ComparisonOperator": "GreaterThanThreshold",
                },
            )
            if level == "alert":
                out[RollbackAlarm.ERROR_RATE] = logical
        return [out[a] for a in self.plan.spec.rollout.rollback.on if a in out]

    def _metric(self, metric_id: str, name: str) -> Json:
        return {
            "Id": metric_id,
            "ReturnData": False,
            "MetricStat": {
                "Metric": {"Namespace": "AWS/SageMaker", "MetricName": name, "Dimensions": self.dimensions()},
                "Period": PERIOD_S,
                "Stat": "Sum",
            },
        }

    # --- drift ---------------------------------------------------------------------------------------

    def drift(self) -> list[str]:
        """DataQualityJobDefinition + MonitoringSchedule + one alarm per feature; returns the alarm ids."""
        spec = self.plan.spec
        mon = spec.monitoring
        if mon is None or mon.drift is None:
            return []
        drift = mon.drift
        capture = capture_of(self.plan)
        assert capture is not None  # resolve refused otherwise
        destination = capture[0].rstrip("/")
        baseline = (self.platform.baseline_uri or f"{destination}/baseline").rstrip("/")
        output: dict[str, Json] = {
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "S3Uri": f"{destination}/monitoring",
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    }
                }
            ]
        }
        cluster: dict[str, Json] = {"InstanceCount": 1, "InstanceType": MONITOR_INSTANCE, "VolumeSizeInGB": 20}
        if self.kms:
            output["KmsKeyId"] = self.kms
            cluster["VolumeKmsKeyId"] = self.kms
        network: dict[str, Json] = {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True}
        vpc = self.vpc()
        if vpc:
            network["VpcConfig"] = vpc
        props: dict[str, Json] = {
            "RoleArn": self.platform.execution_role_arn,
            "DataQualityAppSpecification": {
                "ImageUri": required(self.sm.monitor_image, "monitor_image"),
                "Environment": {"publish_cloudwatch_metrics": "Enabled"},
            },
            "DataQualityBaselineConfig": {
                "ConstraintsResource": {"S3Uri": f"{baseline}/constraints.json"},
                "StatisticsResource": {"S3Uri": f"{baseline}/statistics.json"},
            },
            "DataQualityJobInput": {
                "EndpointInput": {
                    "EndpointName": self.base,
                    "LocalPath": "/opt/ml/processing/input/endpoint",
                    "S3InputMode": "File",
                    "S3DataDistributionType": "FullyReplicated",
                }
            },
            "DataQualityJobOutputConfig": output,
            "JobResources": {"ClusterConfig": cluster},
            "NetworkConfig": network,
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "Tags": self.tags,
        }
        props["JobDefinitionName"] = hashed_name(self.plan.model_name, self.plan.environment, props, "dq")
        self.add("DataQualityJobDefinition", "AWS::SageMaker::DataQualityJobDefinition", props, ["Endpoint"])
        schedule_name = f"{self.base}-drift"
        self.add(
            "MonitoringSchedule",
            "AWS::SageMaker::MonitoringSchedule",
            {
                "MonitoringScheduleName": schedule_name,
                "EndpointName": self.base,
                "MonitoringScheduleConfig": {
                    "MonitoringType": "DataQuality",
                    "MonitoringJobDefinitionName": {"Fn::GetAtt": ["DataQualityJobDefinition", "JobDefinitionName"]},
                    "ScheduleConfig": {"ScheduleExpression": MONITOR_SCHEDULE},
                },
                "Tags": self.tags,
            },
            ["Endpoint"],
        )
        features = list(drift.features) or [
            f.name for f in (spec.model.signature.inputs if spec.model.signature else [])
        ]
        d = self.plan.derived
        alarms = []
        for index, feature in enumerate(features, start=1):
            logical = f"DriftAlarm{index}"
            self.alarm(
                logical,
                {
                    "AlarmName": f"{self.base}-drift-{feature}",
                    "AlarmDescription": (
                        f"Baseline drift distance of feature {feature} above the retrain threshold {d.drift_retrain:g} "
                        f"(spec {drift.method} thresholds applied to SageMaker's distance)"
                    ),
                    "Namespace": "aws/sagemaker/Endpoints/data-metrics",
                    "MetricName": f"feature_baseline_drift_{feature}",
                    "Dimensions": [
                        {"Name": "Endpoint", "Value": self.base},
                        {"Name": "MonitoringSchedule", "Value": schedule_name},
                    ],
                    "Statistic": "Maximum",
                    "Period": 3600,
                    "EvaluationPeriods": 1,
                    "Threshold": d.drift_retrain,
                    "ComparisonOperator": "GreaterThanThreshold",
                },
            )
            # the alarm depends on the schedule for readability of the stack events only
            alarms.append(logical)
        meaning = (
            f"SageMaker does not compute {drift.method}: the data-quality job publishes "
            "feature_baseline_drift_<feature>, "
            "the distance between the captured and the baseline distribution of each feature (numerical: the "
            "L-infinity distance between the two empirical distributions, a Kolmogorov-Smirnov-like statistic in "
            "[0, 1]; categorical: L-infinity or chi-squared, as the baseline's constraints.json says). The spec's "
            f"retrain threshold {d.drift_retrain:g} is applied unchanged to that distance (same number, different "
            f"statistic); monitor {d.drift_monitor:g} and investigate {d.drift_investigate:g} have no SageMaker alarm"
        )
        self.findings.append(
            warn(
                "SGM016",
                meaning,
                ("monitoring", "drift", "thresholds"),
                "calibrate the thresholds on SageMaker's distance, or compute PSI in a custom monitoring container",
            )
        )
        self.decisions.append(resolved(NAME, "sagemaker.drift", f"hourly {MONITOR_SCHEDULE}", meaning))
        self.decisions.append(
            resolved(
                NAME,
                "sagemaker.drift_baseline",
                f"{baseline}/",
                "constraints.json and statistics.json of a baselining job over the training data "
                + (
                    "(platforms.sagemaker.baseline_uri)"
                    if self.platform.baseline_uri
                    else "(default: baseline/ under the capture destination; set platforms.sagemaker.baseline_uri)"
                )
                + "; Model Monitor is closed to new AWS customers",
            )
        )
        return alarms

    # --- pipelines -----------------------------------------------------------------------------------

    def start_role(self) -> Json:
        """The role EventBridge assumes to start pipelines: the spec's, else one made for them."""
        if self.platform.scheduler_role_arn:
            return self.platform.scheduler_role_arn
        if "PipelineStartRole" not in self.resources:
            self.add(
                "PipelineStartRole",
                "AWS::IAM::Role",
                {
                    "Description": f"Lets EventBridge start the SageMaker pipelines of {self.base}",
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": ["events.amazonaws.com", "scheduler.amazonaws.com"]},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "Policies": [
                        {
                            "PolicyName": "start-pipelines",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "sagemaker:StartPipelineExecution",
                                        "Resource": [
                                            {"Fn::Sub": PIPELINE_ARN % p}
                                            for p in ("BatchPipeline", "RetrainingPipeline")
                                            if p in self.resources
                                        ],
                                    }
                                ],
                            },
                        }
                    ],
                    "Tags": self.tags,
                },
            )
        return {"Fn::GetAtt": ["PipelineStartRole", "Arn"]}

    def pipeline(self, logical: str, name: str, description: str, step: Json) -> None:
        body = {"Version": "2020-12-01", "Metadata": {}, "Parameters": [], "Steps": [step]}
        self.add(
            logical,
            "AWS::SageMaker::Pipeline",
            {
                "PipelineName": name,
                "PipelineDisplayName": name,
                "PipelineDescription": description,
                "RoleArn": self.platform.execution_role_arn,
                "PipelineDefinition": {
                    "PipelineDefinitionBody": json.dumps(body, sort_keys=True, separators=(",", ":"))
                },
                "Tags": self.tags,
            },
            [self.model_ids[Role.NEW]] if logical == "BatchPipeline" else None,
        )
        self.outputs[f"{logical}Name"] = {"Description": description, "Value": {"Ref": logical}}

    def schedule(self, logical: str, pipeline: str, cron: str, spec_cron: str, what: str) -> None:
        self.add(
            logical,
            "AWS::Scheduler::Schedule",
            {
                "Name": f"{self.base}-{what}",
                "Description": f"Start the {what} pipeline of {self.base} (spec cron `{spec_cron}`, UTC)",
                "ScheduleExpression": cron,
                "ScheduleExpressionTimezone": "UTC",
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "State": "ENABLED",
                "Target": {"Arn": {"Fn::Sub": PIPELINE_ARN % pipeline}, "RoleArn": self.start_role()},
            },
        )

    def batch(self) -> None:
        spec = self.plan.spec
        batch = spec.serving.batch
        assert batch is not None
        output: dict[str, Json] = {"S3OutputPath": batch.output_uri, "AssembleWith": "Line"}
        resources: dict[str, Json] = {"InstanceType": self.instance_type, "InstanceCount": 1}
        if self.kms:
            output["KmsKeyId"] = self.kms
        if self.volume_kms:
            resources["VolumeKmsKeyId"] = self.volume_kms
        step: Json = {
            "Name": "Score",
            "Type": "Transform",
            "Arguments": {
                "ModelName": self.model_names[Role.NEW],
                "TransformInput": {
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": batch.input_uri}},
                    "SplitType": "Line",
                },
                "TransformOutput": output,
                "TransformResources": resources,
            },
        }
        self.pipeline("BatchPipeline", f"{self.base}-batch", f"Batch scoring of {self.base}", step)
        self.schedule(
            "BatchSchedule", "BatchPipeline", required(self.sm.batch_cron, "batch_cron"), batch.schedule, "batch"
        )

    def retraining(self, drift_alarms: list[str]) -> None:
        spec = self.plan.spec
        retraining = spec.retraining
        assert retraining is not None
        uri, _ = artifact_uri(self.plan, NAME)
        bucket = uri.removeprefix("s3://").split("/", 1)[0]
        out = (
            self.platform.training_output_uri
            or f"s3://{bucket}/mlopsc-training/{self.plan.model_name}/{self.plan.environment}"
        ).rstrip("/") + "/"
        output: dict[str, Json] = {"S3OutputPath": out}
        resources: dict[str, Json] = {"InstanceType": self.instance_type, "InstanceCount": 1, "VolumeSizeInGB": 30}
        if self.kms:
            output["KmsKeyId"] = self.kms
        if self.volume_kms:
            resources["VolumeKmsKeyId"] = self.volume_kms
        args: dict[str, Json] = {
            "AlgorithmSpecification": {
                "TrainingImage": required(self.sm.training_image, "training_image"),
                "TrainingInputMode": "File",
                "ContainerEntrypoint": list(retraining.pipeline.command),
            },
            "RoleArn": self.platform.execution_role_arn,
            "OutputDataConfig": output,
            "ResourceConfig": resources,
            "StoppingCondition": {"MaxRuntimeInSeconds": TRAINING_TIMEOUT_S},
            "EnableInterContainerTrafficEncryption": True,
            "Environment": {
                "MODEL_NAME": self.plan.model_name,
                "MODEL_VERSION": spec.model.version,
                "MODEL_PACKAGE_GROUP": self.package_group,
                "MIN_IMPROVEMENT": f"{retraining.promotion.min_improvement:g}",
            },
        }
        vpc = self.vpc()
        if vpc:
            args["VpcConfig"] = vpc
        self.pipeline(
            "RetrainingPipeline",
            f"{self.base}-retrain",
            f"Retraining of {self.base}",
            {"Name": "Train", "Type": "Training", "Arguments": args},
        )
        self.decisions.append(
            resolved(
                NAME,
                "sagemaker.retraining",
                out,
                "training writes here"
                + ("" if self.platform.training_output_uri else " (default: mlopsc-training/ in the artifact's bucket)")
                + f"; it runs on {self.instance_type}, the serving instance type (the spec has no training resources)",
            )
        )
        if retraining.schedule:
            self.schedule(
                "RetrainingSchedule",
                "RetrainingPipeline",
                required(self.sm.retraining_cron, "retraining_cron"),
                retraining.schedule,
                "retrain",
            )
        triggers = set(retraining.triggers)
        if RetrainTrigger.QUALITY in triggers:
            self.findings.append(
                warn(
                    "SGM021",
                    "quality-triggered retraining is not wired on SageMaker: a model-quality metric needs a "
                    "ModelQualityJobDefinition fed with ground-truth labels, which mlopsc does not render",
                    ("retraining", "triggers"),
                    "start the retraining pipeline from your labelling job, or rely on the drift trigger and schedule",
                )
            )
        if RetrainTrigger.DRIFT in triggers:
            if not drift_alarms:
                self.findings.append(
                    warn(
                        "SGM026",
                        "drift-triggered retraining needs drift monitoring of an online endpoint: "
                        "no drift alarm exists",
                        ("retraining", "triggers"),
                        "add `monitoring.drift` (and `monitoring.capture`)",
                    )
                )
                return
            self.add(
                "RetrainOnDriftRule",
                "AWS::Events::Rule",
                {
                    "Name": f"{self.base}-retrain-on-drift",
                    "Description": f"Start retraining of {self.base} when a drift alarm goes into ALARM",
                    "State": "ENABLED",
                    "EventPattern": {
                        "source": ["aws.cloudwatch"],
                        "detail-type": ["CloudWatch Alarm State Change"],
                        "resources": [{"Fn::GetAtt": [a, "Arn"]} for a in drift_alarms],
                        "detail": {"state": {"value": ["ALARM"]}},
                    },
                    "Targets": [
                        {
                            "Id": "retraining-pipeline",
                            "Arn": {"Fn::Sub": PIPELINE_ARN % "RetrainingPipeline"},
                            "RoleArn": self.start_role(),
                        }
                    ],
                    "Tags": self.tags,
                },
            )

    # --- whole template --------------------------------------------------------------------------------

    def build(self) -> Json:
        spec = self.plan.spec
        online = spec.serving.mode.serves_online
        self.secrets_policy()
        self.alert_topic()
        state = self.plan.derived.rollout
        for version in state.versions if online else state.versions[:1]:
            self.model(version)
        drift_alarms: list[str] = []
        if online:
            self.endpoint()
            drift_alarms = self.drift()
        if spec.serving.mode.serves_batch and spec.serving.batch is not None:
            self.batch()
        if spec.retraining is not None and self.sm.training_image is not None:
            self.retraining(drift_alarms)
        self.add(
            "ModelPackageGroup",
            "AWS::SageMaker::ModelPackageGroup",
            {
                "ModelPackageGroupName": self.package_group,
                # create-only with a fixed name (cfn-lint's schema): nothing that can change may go here, so the
                # owner is a tag (updatable in place), not part of the description
                "ModelPackageGroupDescription": f"Versions of {self.plan.model_name} ({self.plan.environment})",
                "Tags": self.tags_for(spec.model.version, **{"mlopsc-owner": spec.metadata.owner}),
            },
        )
        self.outputs["ModelPackageGroupArn"] = {
            "Description": "Model registry group",
            "Value": {"Ref": "ModelPackageGroup"},
        }
        if self.plan.registry is not None:
            from mlopsc.targets.sagemaker.registry import add_registry

            new = self.plan.derived.rollout.new  # the version the registry entry describes
            add_registry(self, self.plan.registry, required(self.sm.image, "image"), new.artifact.location(NAME))
        self._fix_start_role()
        return {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"mlopsc: {self.plan.model_name} {spec.model.version} on SageMaker "
            f"({self.plan.environment})",
            "Resources": self.resources,
            "Outputs": self.outputs,
        }

    def _fix_start_role(self) -> None:
        """The start role is created by the first schedule: list every pipeline it may start."""
        role = self.resources.get("PipelineStartRole")
        if not isinstance(role, dict):
            return
        props = role["Properties"]
        assert isinstance(props, dict)
        policies = props["Policies"]
        assert isinstance(policies, list) and isinstance(policies[0], dict)
        document = policies[0]["PolicyDocument"]
        assert isinstance(document, dict) and isinstance(document["Statement"], list)
        statement = document["Statement"][0]
        assert isinstance(statement, dict)
        statement["Resource"] = [
            {"Fn::Sub": PIPELINE_ARN % p} for p in ("BatchPipeline", "RetrainingPipeline") if p in self.resources
        ]
