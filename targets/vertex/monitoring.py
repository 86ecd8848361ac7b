"""The `ModelDeploymentMonitoringJob` of an endpoint: drift (and skew) thresholds per DeployedModel.

The endpoint field is a literal resource name, not a placeholder: the apply script creates the
endpoint with `endpointId=<name>-<environment>`, so its name is known when mlopsc compiles (Vertex
accepts the project id in resource names). Every DeployedModel the endpoint keeps gets its own
objective config (`kept_split`: the new version and, while a canary, blue-green or A/B rollout splits,
the previous one; after promote the new one alone, after abort the previous one alone).
Thresholds were converted by the target (`targets/vertex/drift.py`) and are in the stack (`VertexStack.drift`).
"""

from __future__ import annotations

from mlopsc.compiler.ir import Json, Plan, Stack, required
from mlopsc.targets.base import labels_for
from mlopsc.targets.vertex import naming
from mlopsc.targets.vertex.bodies import kept_split
from mlopsc.targets.vertex.stack import VertexStack

MONITOR_INTERVAL = "3600s"


def _thresholds(stack: Stack) -> dict[str, Json]:
    vs = VertexStack.of(stack)
    out: dict[str, Json] = {}
    for item in required(vs.drift, "drift").split(","):
        feature, _, value = item.partition("=")
        out[feature] = {"value": float(value)}
    return out


def _training_dataset(source: str) -> dict[str, Json]:
    if source.startswith("bq://"):
        return {"bigquerySource": {"inputUri": source}}
    return {"gcsSource": {"uris": [source]}, "dataFormat": "csv" if source.endswith(".csv") else "jsonl"}


def monitoring_job(plan: Plan, stack: Stack) -> Json:
    vs = VertexStack.of(stack)
    spec = plan.spec
    mon = spec.monitoring
    platform = spec.platforms.vertex
    assert mon is not None and mon.drift is not None and platform is not None
    names = naming.names(plan)
    thresholds = _thresholds(stack)
    objective: dict[str, Json] = {"predictionDriftDetectionConfig": {"driftThresholds": dict(thresholds)}}
    if vs.skew_source is not None:
        objective["trainingDataset"] = _training_dataset(vs.skew_source)
        objective["trainingPredictionSkewDetectionConfig"] = {"skewThresholds": dict(thresholds)}
    ids = list(kept_split(plan))
    configs: list[Json] = [{"deployedModelId": i, "objectiveConfig": dict(objective)} for i in ids]
    emails: list[Json] = list(mon.alerts.emails) or [spec.metadata.owner]
    body: dict[str, Json] = {
        "displayName": f"{names.endpoint_id}-monitoring",
        "endpoint": names.endpoint,
        "modelDeploymentMonitoringObjectiveConfigs": configs,
        "modelDeploymentMonitoringScheduleConfig": {"monitorInterval": MONITOR_INTERVAL},
        "loggingSamplingStrategy": {"randomSampleConfig": {"sampleRate": mon.drift.sample_rate}},
        "modelMonitoringAlertConfig": {"emailAlertConfig": {"userEmails": emails}, "enableLogging": True},
        "labels": dict(labels_for(plan).items()),
    }
    if platform.kms_key_name:
        body["encryptionSpec"] = {"kmsKeyName": platform.kms_key_name}
    return body
