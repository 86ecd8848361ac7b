"""The Vertex AI v1 request bodies of a deployment: Model, Endpoint, DeployModelRequest,
BatchPredictionJob and the retraining Schedule (camelCase JSON field names, as the REST API takes them).

Every function reads the plan (the spec and what the rules derived) and the stack (what the target
resolved: image, machine, URIs); none decides anything new.
"""

from __future__ import annotations

from mlopsc.compiler.ir import Json, Plan, Stack, required
from mlopsc.compiler.spec.typed import SecretRef
from mlopsc.targets.base import labels_for
from mlopsc.targets.vertex import naming
from mlopsc.targets.vertex.stack import VertexStack

CONTAINER_PORT = 8080
GPU_METRIC = "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle"
CPU_METRIC = "aiplatform.googleapis.com/prediction/online/cpu/utilization"
AUTOSCALING_TARGET = 60
KFP_SCHEMA = "2.1.0"


def _labels(plan: Plan) -> dict[str, Json]:
    return dict(labels_for(plan).items())


def _encryption(plan: Plan) -> dict[str, Json]:
    platform = plan.spec.platforms.vertex
    assert platform is not None
    return {"encryptionSpec": {"kmsKeyName": platform.kms_key_name}} if platform.kms_key_name else {}


def machine_spec(stack: Stack) -> dict[str, Json]:
    vs = VertexStack.of(stack)
    spec: dict[str, Json] = {"machineType": required(vs.machine_type, "machine_type")}
    if vs.accelerator_type is not None:
        spec["acceleratorType"] = vs.accelerator_type
        spec["acceleratorCount"] = int(required(vs.accelerator_count, "accelerator_count"))
    return spec


def env(plan: Plan) -> list[Json]:
    """`serving.env` in name order; a secret becomes `<VAR>_SECRET` = its Secret Manager name."""
    spec = plan.spec
    out: list[Json] = []
    for var, value in sorted(spec.serving.env.items()):
        if isinstance(value, SecretRef):
            reference = spec.secrets[value.secret].vertex
            assert reference is not None
            out.append({"name": f"{var}_SECRET", "value": reference})
        else:
            out.append({"name": var, "value": value})
    return out


def model(plan: Plan, stack: Stack) -> Json:
    """`Model` for models.upload (the script wraps it with `modelId` or `parentModel`)."""
    vs = VertexStack.of(stack)
    spec = plan.spec
    names = naming.names(plan)
    container: dict[str, Json] = {"imageUri": required(vs.image, "image")}
    variables = env(plan)
    if variables:
        container["env"] = variables
    if vs.prebuilt == "false":
        key = "grpcPorts" if spec.serving.protocol.value == "grpc" else "ports"
        container[key] = [{"containerPort": CONTAINER_PORT}]
    provenance = [f"version {spec.model.version}"]
    if spec.model.artifact.digest:
        provenance.append(f"artifact {spec.model.artifact.digest}")
    if spec.model.provenance.git_commit:
        provenance.append(f"git {spec.model.provenance.git_commit}")
    body: dict[str, Json] = {
        "displayName": names.model_id,
        "containerSpec": container,
        "versionAliases": [names.alias],
        "versionDescription": "; ".join(provenance),
        "labels": _labels(plan),
        **_encryption(plan),
    }
    if vs.artifact_uri is not None:
        body["artifactUri"] = vs.artifact_uri
    card = spec.governance.model_card
    if card is not None:
        body["description"] = card.intended_use
    if plan.registry is not None:
        from mlopsc.targets.vertex.registry import apply_entry

        apply_entry(body, plan.registry)
    return body


def endpoint(plan: Plan, stack: Stack) -> Json:
    vs = VertexStack.of(stack)
    spec = plan.spec
    platform = spec.platforms.vertex
    assert platform is not None
    names = naming.names(plan)
    body: dict[str, Json] = {
        "displayName": names.endpoint_id,
        "description": f"{plan.model_name} ({plan.environment}), owned by {spec.metadata.owner}",
        "labels": _labels(plan),
        **_encryption(plan),
    }
    if platform.network:
        body["network"] = platform.network
    if vs.capture_uri is not None:
        body["predictRequestResponseLoggingConfig"] = {
            "enabled": True,
            "samplingRate": float(required(vs.capture_rate, "capture_rate")),
            "bigqueryDestination": {"outputUri": vs.capture_uri},
        }
    return body


def traffic_split(plan: Plan) -> dict[str, int]:
    """The decided live shares: `"0"` (the model being deployed) gets the new version's, the previous
    DeployedModel its own while live traffic is split; otherwise everything goes to the new model."""
    rollout = plan.derived.rollout
    previous = rollout.previous
    if previous is None or not rollout.live_split:
        return {"0": 100}
    return {"0": rollout.new.live_share, naming.deployed_model_id(previous.version): previous.live_share}


def kept_split(plan: Plan) -> dict[str, int]:
    """The endpoint's trafficSplit once applied, by DeployedModel id: the versions the rollout keeps
    deployed (`RolloutState.kept`: a version idle at 0% is undeployed, except blue-green's new one
    waiting for its switch) with their live shares, the new version first. `apply.sh` converges on it."""
    return {naming.deployed_model_id(v.version): v.live_share for v in plan.derived.rollout.kept}


def deploy_model_request(plan: Plan, stack: Stack) -> Json:
    """Body of `endpoints/<id>:deployModel` (the endpoint is the URL, not a body field)."""
    vs = VertexStack.of(stack)
    spec = plan.spec
    platform = spec.platforms.vertex
    assert platform is not None
    names = naming.names(plan)
    d = plan.derived
    resources: dict[str, Json] = {
        "machineSpec": machine_spec(stack),
        "minReplicaCount": d.replicas_min,
        "maxReplicaCount": max(d.replicas_min, d.replicas_max),
    }
    if d.replicas_max > d.replicas_min:
        metric = GPU_METRIC if vs.accelerator_type is not None else CPU_METRIC
        resources["autoscalingMetricSpecs"] = [{"metricName": metric, "target": AUTOSCALING_TARGET}]
    deployed: dict[str, Json] = {
        "id": names.deployed_model_id,
        "model": names.model_version,
        "displayName": f"{plan.model_name}-{names.alias}",
        "dedicatedResources": resources,
    }
    if platform.service_account:
        deployed["serviceAccount"] = platform.service_account
    split: dict[str, Json] = dict(traffic_split(plan).items())
    return {"deployedModel": deployed, "trafficSplit": split}


def _instances_format(uri: str) -> str:
    if uri.startswith("bq://"):
        return "bigquery"
    for suffix, fmt in ((".csv", "csv"), (".tfrecord", "tf-record"), (".tfrecord.gz", "tf-record-gzip")):
        if uri.endswith(suffix):
            return fmt
    return "jsonl"


def batch_prediction_job(plan: Plan, stack: Stack) -> Json:
    spec = plan.spec
    batch = spec.serving.batch
    platform = spec.platforms.vertex
    assert batch is not None and platform is not None
    names = naming.names(plan)
    fmt = _instances_format(batch.input_uri)
    source: dict[str, Json]
    if fmt == "bigquery":
        source = {"bigquerySource": {"inputUri": batch.input_uri}}
    else:
        uri = batch.input_uri + "*" if batch.input_uri.endswith("/") else batch.input_uri
        source = {"gcsSource": {"uris": [uri]}}
    output: dict[str, Json]
    if batch.output_uri.startswith("bq://"):
        output = {"predictionsFormat": "bigquery", "bigqueryDestination": {"outputUri": batch.output_uri}}
    else:
        output = {"predictionsFormat": "jsonl", "gcsDestination": {"outputUriPrefix": batch.output_uri}}
    d = plan.derived
    starting = d.instances_min
    body: dict[str, Json] = {
        "displayName": f"{names.model_id}-{names.alias}-batch",
        "model": names.model_version,
        "inputConfig": {"instancesFormat": fmt, **source},
        "outputConfig": output,
        "dedicatedResources": {
            "machineSpec": machine_spec(stack),
            "startingReplicaCount": starting,
            "maxReplicaCount": max(starting, d.replicas_max),
        },
        "labels": _labels(plan),
        **_encryption(plan),
    }
    if platform.service_account:
        body["serviceAccount"] = platform.service_account
    return body


def retraining_schedule(plan: Plan, stack: Stack) -> Json:
    """A `Schedule` whose runs create a one-task PipelineJob (KFP IR) running the retraining image."""
    vs = VertexStack.of(stack)
    spec = plan.spec
    retraining = spec.retraining
    platform = spec.platforms.vertex
    assert retraining is not None and retraining.schedule is not None and platform is not None
    names = naming.names(plan)
    display = f"{names.model_id}-retraining"
    container: dict[str, Json] = {
        "image": required(vs.pipeline_image, "pipeline_image"),
        "command": list(retraining.pipeline.command),
        "env": [
            {"name": "MODEL_NAME", "value": plan.model_name},
            {"name": "MODEL_VERSION", "value": spec.model.version},
            {"name": "MIN_IMPROVEMENT", "value": f"{retraining.promotion.min_improvement:g}"},
            {"name": "VERTEX_MODEL", "value": names.model},
        ],
    }
    pipeline_spec: dict[str, Json] = {
        "pipelineInfo": {"name": display},
        "schemaVersion": KFP_SCHEMA,
        "sdkVersion": "mlopsc",
        "components": {"comp-retrain": {"executorLabel": "exec-retrain"}},
        "deploymentSpec": {"executors": {"exec-retrain": {"container": container}}},
        "root": {
            "dag": {
                "tasks": {
                    "retrain": {
                        "cachingOptions": {"enableCache": False},
                        "componentRef": {"name": "comp-retrain"},
                        "taskInfo": {"name": "retrain"},
                    }
                }
            }
        },
    }
    job: dict[str, Json] = {
        "displayName": display,
        "pipelineSpec": pipeline_spec,
        "runtimeConfig": {"gcsOutputDirectory": required(vs.pipeline_root, "pipeline_root")},
        "labels": _labels(plan),
        **_encryption(plan),
    }
    if platform.service_account:
        job["serviceAccount"] = platform.service_account
    if platform.network:
        job["network"] = platform.network
    return {
        "displayName": display,
        "cron": f"TZ=Etc/UTC {retraining.schedule}",
        "maxConcurrentRunCount": "1",
        "createPipelineJobRequest": {"parent": names.parent, "pipelineJob": job},
    }
