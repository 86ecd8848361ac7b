"""The Azure ML CLI v2 documents, as plain data: model, endpoints, deployments, autoscale, jobs.

Each builder returns one document body; ``target.py`` decides which ones a plan needs and records
why. Every YAML carries its ``$schema`` URL (the loaders ignore it; editors and reviewers use it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from mlopsc.compiler.ir import Json, Plan, Stack, required
from mlopsc.compiler.quoting import sh
from mlopsc.compiler.spec.typed import SecretRef
from mlopsc.targets.azureml.stack import AzureMLStack

SCHEMA = "https://azuremlschemas.azureedge.net/latest/"
ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
MAX_REQUEST_TIMEOUT_MS = 180_000  # managed online endpoints (how-to-manage-quotas.md)
DEFAULT_REQUEST_TIMEOUT_MS = 5_000  # Azure's default when the spec gives no latency SLA
TIMEOUT_PER_SLA = 10  # request timeout = 10 x the p95 latency SLA
SCALE_OUT_SHARE = 0.7  # of rps_per_replica x 60 requests per minute per instance
SCALE_IN_SHARE = 0.3
CLUSTER_IDLE_SECONDS = 120  # reference-yaml-compute-aml.md's default: nodes leave two minutes after a job
SCORE_DIR = "score"  # code_configuration.code: ./score (holds score.py / batch_score.py)
CONTAINER_PORT = 5001  # the azureml-inference-server-http convention a custom container follows
TRAINING_INSTANCE_TYPE = "Standard_DS3_v2"
SECRET_SUFFIX = "_SECRET_URL"


def model_ref(plan: Plan, version: str) -> str:
    return f"azureml:{plan.model_name}:{version}"


def model_doc(plan: Plan, stack: Stack, tags: Mapping[str, str]) -> Json:
    az = AzureMLStack.of(stack)
    spec = plan.spec
    properties: dict[str, Json] = {}
    if spec.model.artifact.digest:
        properties["artifact_digest"] = spec.model.artifact.digest
    provenance = spec.model.provenance
    if provenance.git_commit:
        properties["git_commit"] = provenance.git_commit
    if provenance.training_run:
        properties["training_run"] = provenance.training_run
    doc: dict[str, Json] = {
        "$schema": SCHEMA + "model.schema.json",
        "name": plan.model_name,
        "version": spec.model.version,
        "type": "custom_model",
        "path": required(az.model_path, "model_path"),
        "description": f"{plan.model_name} {spec.model.version} ({spec.model.framework.name} "
        f"{spec.model.framework.version}), registered by mlopsc",
        "tags": dict(tags),
    }
    if plan.registry is not None:
        from mlopsc.targets.azureml.registry import apply_entry

        apply_entry(doc, properties, plan.registry)
    if properties:
        doc["properties"] = properties
    return doc


def endpoint_doc(
    plan: Plan, stack: Stack, traffic: Mapping[str, int], mirror: Mapping[str, int], tags: Mapping[str, str]
) -> Json:
    az = AzureMLStack.of(stack)
    doc: dict[str, Json] = {
        "$schema": SCHEMA + "managedOnlineEndpoint.schema.json",
        "name": az.endpoint,
        "auth_mode": "key",
        "public_network_access": "enabled",
        "description": f"{plan.model_name} ({plan.environment}), managed by mlopsc",
        "traffic": dict(traffic),
        "tags": dict(tags),
    }
    if mirror:
        doc["mirror_traffic"] = dict(mirror)
    return doc


def environment_variables(plan: Plan) -> dict[str, Json]:
    """Plain values as given; a secret as ``<VAR>_SECRET_URL`` = its Key Vault URL, never a value."""
    spec = plan.spec
    out: dict[str, Json] = {}
    for var, value in sorted(spec.serving.env.items()):
        if isinstance(value, SecretRef):
            url = spec.secrets[value.secret].azureml
            assert url is not None
            out[var + SECRET_SUFFIX] = url
        else:
            out[var] = value
    return out


def request_timeout_ms(plan: Plan) -> int:
    latency = plan.spec.serving.scale.latency_ms
    if latency is None:
        return DEFAULT_REQUEST_TIMEOUT_MS
    return min(MAX_REQUEST_TIMEOUT_MS, max(1_000, math.ceil(latency * TIMEOUT_PER_SLA)))


def workers(plan: Plan) -> int:
    resources = plan.spec.serving.resources
    return max(1, math.ceil(resources.cpu)) if resources else 1


def environment(stack: Stack) -> Json:
    """The curated environment's reference; or the build context that adds to a curated image what the
    scoring code imports (environment.py); or an environment Azure ML builds from an image and the
    rendered conda file (``environment: {image, conda_file}``, reference-yaml-environment.md)."""
    az = AzureMLStack.of(stack)
    build = az.environment_build
    if build is not None:
        return {"build": {"path": f"./{build}"}}
    if az.conda_file is not None:
        return {"image": required(az.environment, "environment"), "conda_file": f"./{az.conda_file}"}
    return required(az.environment, "environment")


def deployment_doc(plan: Plan, stack: Stack, name: str, version: str, tags: Mapping[str, str]) -> Json:
    az = AzureMLStack.of(stack)
    d = plan.derived
    env = environment_variables(plan)
    count = workers(plan)
    doc: dict[str, Json] = {
        "$schema": SCHEMA + "managedOnlineDeployment.schema.json",
        "name": name,
        "endpoint_name": az.endpoint,
        "model": model_ref(plan, version),
        "instance_type": required(az.instance_type, "instance_type"),
        "instance_count": int(az.instance_count),
        "request_settings": {
            "request_timeout_ms": request_timeout_ms(plan),
            "max_concurrent_requests_per_instance": count,
        },
        "liveness_probe": {"initial_delay": d.startup_timeout_s, "period": 10, "timeout": 2, "failure_threshold": 3},
        "readiness_probe": {
            "initial_delay": d.readiness_initial_delay_s,
            "period": 10,
            "timeout": 2,
            "success_threshold": 1,
            "failure_threshold": 3,
        },
        "egress_public_network_access": "enabled",
        "tags": {**tags, "mlopsc-model-version": version},
    }
    if az.image is not None:
        route: dict[str, Json] = {"port": CONTAINER_PORT, "path": "/"}
        doc["environment"] = {
            "image": az.image,
            "inference_config": {
                "liveness_route": dict(route),
                "readiness_route": dict(route),
                "scoring_route": {"port": CONTAINER_PORT, "path": "/score"},
            },
        }
    else:
        doc["environment"] = environment(stack)
        doc["code_configuration"] = {"code": f"./{SCORE_DIR}", "scoring_script": "score.py"}
        env.setdefault("WORKER_COUNT", str(count))
    if env:
        doc["environment_variables"] = env
    if az.capture_rate is not None:
        collection: dict[str, Json] = {"enabled": "true"}
        collector: dict[str, Json] = {
            "collections": {"model_inputs": dict(collection), "model_outputs": dict(collection)},
            "sampling_rate": float(az.capture_rate),
        }
        path = az.capture_path
        if path:
            base = path.rstrip("/")
            collector["collections"] = {
                kind: {
                    "enabled": "true",
                    "data": {
                        "name": f"{az.endpoint}-{name}-{kind.replace('_', '-')}",
                        "path": f"{base}/{name}/{kind}",
                    },
                }
                for kind in ("model_inputs", "model_outputs")
            }
        doc["data_collector"] = collector
    return doc


AUTOSCALE_SUFFIX = "-autoscale"


def autoscale_name(endpoint: str, deployment: str) -> str:
    """The autoscale setting of one deployment (apply.sh deletes it by this name when it retires the deployment)."""
    return f"{endpoint}-{deployment}{AUTOSCALE_SUFFIX}"


def autoscale_doc(plan: Plan, stack: Stack, deployments: list[str], tags: Mapping[str, str]) -> Json:
    """Azure Monitor autoscale on RequestsPerMinute per instance, one setting per deployment."""
    az = AzureMLStack.of(stack)
    d = plan.derived
    platform = plan.spec.platforms.azureml
    assert platform is not None
    endpoint = az.endpoint
    per_instance = d.rps_per_replica * 60
    resources: list[Json] = []
    for name in deployments:
        target = (
            "[resourceId('Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', "
            f"'{platform.workspace}', '{endpoint}', '{name}')]"
        )

        def rule(direction: str, operator: str, threshold: float, target: str = target) -> Json:
            return {
                "metricTrigger": {
                    "metricName": "RequestsPerMinute",
                    "metricResourceUri": target,
                    "timeGrain": "PT1M",
                    "statistic": "Average",
                    "timeWindow": "PT5M" if direction == "Increase" else "PT10M",
                    "timeAggregation": "Average",
                    "operator": operator,
                    "threshold": round(threshold, 2),
                    "dividePerInstance": True,
                },
                "scaleAction": {
                    "direction": direction,
                    "type": "ChangeCount",
                    "value": "1",
                    "cooldown": "PT5M" if direction == "Increase" else "PT10M",
                },
            }

        resources.append(
            {
                "type": "Microsoft.Insights/autoscalesettings",
                "apiVersion": "2022-10-01",
                "name": autoscale_name(endpoint, name),
                "location": platform.region,
                "tags": dict(tags),
                "properties": {
                    "enabled": True,
                    "targetResourceUri": target,
                    "profiles": [
                        {
                            "name": "default",
                            "capacity": {
                                "minimum": az.instance_count,
                                "maximum": str(d.replicas_max),
                                "default": az.instance_count,
                            },
                            "rules": [
                                rule("Increase", "GreaterThan", per_instance * SCALE_OUT_SHARE),
                                rule("Decrease", "LessThan", per_instance * SCALE_IN_SHARE),
                            ],
                        }
                    ],
                },
            }
        )
    return {"$schema": ARM_SCHEMA, "contentVersion": "1.0.0.0", "resources": resources}


def batch_endpoint_doc(plan: Plan, stack: Stack, tags: Mapping[str, str]) -> Json:
    az = AzureMLStack.of(stack)
    return {
        "$schema": SCHEMA + "batchEndpoint.schema.json",
        "name": required(az.batch_endpoint, "batch_endpoint"),
        "auth_mode": "aad_token",
        "description": f"{plan.model_name} batch scoring ({plan.environment}), managed by mlopsc",
        "defaults": {"deployment_name": az.deployment},
        "tags": dict(tags),
    }


def batch_deployment_doc(plan: Plan, stack: Stack, tags: Mapping[str, str]) -> Json:
    az = AzureMLStack.of(stack)
    env = environment_variables(plan)
    settings: dict[str, Json] = {
        "max_concurrency_per_instance": workers(plan),
        "mini_batch_size": 10,
        "output_action": "append_row",
        "output_file_name": "predictions.csv",
        "retry_settings": {"max_retries": 3, "timeout": 300},
        "error_threshold": -1,
        "logging_level": "info",
    }
    if env:
        settings["environment_variables"] = env
    return {
        "$schema": SCHEMA + "modelBatchDeployment.schema.json",
        "name": az.deployment,
        "endpoint_name": required(az.batch_endpoint, "batch_endpoint"),
        "type": "model",
        "model": model_ref(plan, plan.spec.model.version),
        "code_configuration": {"code": f"./{SCORE_DIR}", "scoring_script": "batch_score.py"},
        "environment": environment(stack),
        "compute": f"azureml:{required(az.batch_compute, 'batch_compute')}",
        "resources": {"instance_count": int(required(az.batch_instances, "batch_instances"))},
        "settings": settings,
        "tags": dict(tags),
    }


def retraining_pipeline_doc(plan: Plan, stack: Stack, tags: Mapping[str, str]) -> Json:
    az = AzureMLStack.of(stack)
    retraining = plan.spec.retraining
    assert retraining is not None
    step: dict[str, Json] = {
        "type": "command",
        # Azure ML runs a command job's `command` with a shell: each element one quoted word, so the job
        # gets exactly the spec's argv (tests/security/test_scripts.py runs it with bash).
        "command": " ".join(sh(arg) for arg in retraining.pipeline.command),
        "environment": {"image": required(az.retraining_image, "retraining_image")},
        "environment_variables": {
            "MODEL_NAME": plan.model_name,
            "MODEL_VERSION": plan.spec.model.version,
            "MIN_IMPROVEMENT": f"{retraining.promotion.min_improvement:g}",
        },
    }
    doc: dict[str, Json] = {
        "$schema": SCHEMA + "pipelineJob.schema.json",
        "type": "pipeline",
        "display_name": f"{plan.model_name}-retraining",
        "experiment_name": f"{plan.model_name}-retraining",
        "tags": dict(tags),
        "jobs": {"train": step},
    }
    if az.training_compute is not None:
        doc["settings"] = {"default_compute": f"azureml:{az.training_compute}"}
    else:
        step["resources"] = {"instance_type": TRAINING_INSTANCE_TYPE, "instance_count": 1}
    return doc


def retraining_schedule_doc(plan: Plan, stack: Stack, pipeline_file: str, tags: Mapping[str, str]) -> Json:
    az = AzureMLStack.of(stack)
    retraining = plan.spec.retraining
    assert retraining is not None and retraining.schedule is not None
    return {
        "$schema": SCHEMA + "schedule.schema.json",
        "name": f"{az.endpoint}-retraining",
        "display_name": f"{plan.model_name} retraining ({plan.environment})",
        "trigger": {"type": "cron", "expression": retraining.schedule, "time_zone": "UTC"},
        "create_job": f"./{pipeline_file}",
        "tags": dict(tags),
    }


def compute_doc(stack: Stack, tags: Mapping[str, str]) -> Json:
    """compute.yaml: the AmlCompute cluster the batch deployment runs on, when the spec names none
    (reference-yaml-compute-aml.md: type amlcompute, size, min_instances 0 scales to zero when idle,
    max_instances, idle_time_before_scale_down in seconds; the SKU from serving.resources)."""
    c = AzureMLStack.of(stack)
    return {
        "$schema": SCHEMA + "amlCompute.schema.json",
        "name": required(c.batch_compute, "batch_compute"),
        "type": "amlcompute",
        "description": "batch scoring cluster, managed by mlopsc",
        "size": required(c.instance_type, "instance_type"),
        "tier": "dedicated",
        "min_instances": 0,
        "max_instances": int(required(c.batch_cluster_max, "batch_cluster_max")),
        "idle_time_before_scale_down": CLUSTER_IDLE_SECONDS,
        "tags": dict(tags),
    }
