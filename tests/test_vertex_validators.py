"""The Vertex AI body validator accepts a minimal valid body of each kind and refuses broken ones.

Each mutation below is something a renderer could get wrong; the test proves that the validator
(protobuf's ParseDict plus the project's checks) notices it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.validators.vertex import (
    KINDS,
    VertexBodyError,
    check_replica_bounds,
    check_sample_rate,
    check_threshold,
    check_traffic_split,
    output_only_fields,
    parse_body,
)

LOCATION = "projects/acme-ml/locations/us-central1"
KMS_KEY = f"{LOCATION}/keyRings/ml/cryptoKeys/models"
MODEL_NAME = f"{LOCATION}/models/fraud-detection@v2-1-0"

VALID: dict[str, dict[str, Any]] = {
    "Model": {
        "displayName": "fraud-detection",
        "artifactUri": "gs://acme-models/fraud-detection/2.1.0/",
        "containerSpec": {
            "imageUri": "us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest",
            "env": [{"name": "LOG_LEVEL", "value": "info"}],
            "ports": [{"containerPort": 8080}],
        },
        "versionAliases": ["v2-1-0"],
        "labels": {"cost-center": "1234", "team": "risk"},
        "encryptionSpec": {"kmsKeyName": KMS_KEY},
    },
    "Endpoint": {
        "displayName": "fraud-detection-production",
        "labels": {"team": "risk"},
        "encryptionSpec": {"kmsKeyName": KMS_KEY},
        "predictRequestResponseLoggingConfig": {
            "enabled": True,
            "samplingRate": 0.2,
            "bigqueryDestination": {"outputUri": "bq://acme-ml.monitoring.fraud_detection"},
        },
    },
    "DeployModelRequest": {
        "deployedModel": {
            "id": "2001000",
            "model": MODEL_NAME,
            "displayName": "fraud-detection-2-1-0",
            "serviceAccount": "fraud@acme-ml.iam.gserviceaccount.com",
            "dedicatedResources": {
                "machineSpec": {
                    "machineType": "n1-standard-4",
                    "acceleratorType": "NVIDIA_TESLA_T4",
                    "acceleratorCount": 1,
                },
                "minReplicaCount": 2,
                "maxReplicaCount": 10,
                "autoscalingMetricSpecs": [
                    {"metricName": "aiplatform.googleapis.com/prediction/online/cpu/utilization", "target": 60}
                ],
            },
        },
        "trafficSplit": {"0": 5, "2000000": 95},
    },
    "ModelDeploymentMonitoringJob": {
        "displayName": "fraud-detection-production-monitoring",
        "endpoint": f"{LOCATION}/endpoints/fraud-detection-production",
        "modelDeploymentMonitoringObjectiveConfigs": [
            {
                "deployedModelId": "2001000",
                "objectiveConfig": {
                    "predictionDriftDetectionConfig": {
                        "driftThresholds": {"amount": {"value": 0.1}, "merchant_category": {"value": 0.1}}
                    }
                },
            }
        ],
        "modelDeploymentMonitoringScheduleConfig": {"monitorInterval": "3600s"},
        "loggingSamplingStrategy": {"randomSampleConfig": {"sampleRate": 0.1}},
        "modelMonitoringAlertConfig": {"emailAlertConfig": {"userEmails": ["risk-ml@example.com"]}},
        "encryptionSpec": {"kmsKeyName": KMS_KEY},
    },
    "BatchPredictionJob": {
        "displayName": "fraud-detection-2-1-0-batch",
        "model": MODEL_NAME,
        "inputConfig": {"instancesFormat": "jsonl", "gcsSource": {"uris": ["gs://acme-data/fraud/to-score/*"]}},
        "outputConfig": {
            "predictionsFormat": "bigquery",
            "bigqueryDestination": {"outputUri": "bq://acme-ml.scored"},
        },
        "dedicatedResources": {
            "machineSpec": {"machineType": "n1-standard-4"},
            "startingReplicaCount": 1,
            "maxReplicaCount": 4,
        },
        "encryptionSpec": {"kmsKeyName": KMS_KEY},
    },
    "Schedule": {
        "displayName": "fraud-detection-retraining",
        "cron": "TZ=Etc/UTC 0 2 * * 0",
        "maxConcurrentRunCount": "1",
        "createPipelineJobRequest": {
            "parent": LOCATION,
            "pipelineJob": {
                "displayName": "fraud-detection-retraining",
                "pipelineSpec": {
                    "pipelineInfo": {"name": "fraud-detection-retraining"},
                    "schemaVersion": "2.1.0",
                    "sdkVersion": "kfp-2.7.0",
                    "components": {"comp-train": {"executorLabel": "exec-train"}},
                    "deploymentSpec": {
                        "executors": {
                            "exec-train": {
                                "container": {
                                    "image": "us-docker.pkg.dev/acme-ml/train/fraud-train@sha256:" + "9a" * 32,
                                    "command": ["python", "-m", "fraud.train"],
                                }
                            }
                        }
                    },
                    "root": {
                        "dag": {
                            "tasks": {
                                "train": {
                                    "cachingOptions": {"enableCache": False},
                                    "componentRef": {"name": "comp-train"},
                                    "taskInfo": {"name": "train"},
                                }
                            }
                        }
                    },
                },
                "runtimeConfig": {"gcsOutputDirectory": "gs://acme-ml-pipelines/fraud-detection/"},
                "serviceAccount": "fraud@acme-ml.iam.gserviceaccount.com",
                "encryptionSpec": {"kmsKeyName": KMS_KEY},
            },
        },
    },
}

Mutation = Callable[[dict[str, Any]], object]


def _mutated(kind: str, mutate: Mutation) -> dict[str, Any]:
    body = copy.deepcopy(VALID[kind])
    mutate(body)
    return body


def _dedicated(body: dict[str, Any]) -> dict[str, Any]:
    resources: dict[str, Any] = body["deployedModel"]["dedicatedResources"]
    return resources


def _objective(body: dict[str, Any]) -> dict[str, Any]:
    objective: dict[str, Any] = body["modelDeploymentMonitoringObjectiveConfigs"][0]["objectiveConfig"]
    return objective


def _pipeline_job(body: dict[str, Any]) -> dict[str, Any]:
    job: dict[str, Any] = body["createPipelineJobRequest"]["pipelineJob"]
    return job


def test_every_kind_has_a_valid_example() -> None:
    assert set(VALID) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_minimal_valid_body_parses(kind: str) -> None:
    parse_body(kind, VALID[kind])


# (kind, mutation, expected path, words expected in the message): protobuf strictness first.
PROTOBUF_FAILURES: list[tuple[str, Mutation, str]] = [
    ("Model", lambda b: b.update(displayNam="fraud"), 'no field named "displayNam"'),
    ("Model", lambda b: b["containerSpec"].update(imageUrl="x"), 'no field named "imageUrl"'),
    ("Model", lambda b: b.update(displayName=3), "displayName"),
    ("Model", lambda b: b.update(labels=["team"]), "labels"),
    (
        "DeployModelRequest",
        lambda b: _dedicated(b)["machineSpec"].update(acceleratorType="NVIDIA_FOO"),
        "Invalid enum value NVIDIA_FOO",
    ),
    ("DeployModelRequest", lambda b: _dedicated(b).update(minReplicaCount="two"), "minReplicaCount"),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: b["modelDeploymentMonitoringScheduleConfig"].update(monitorInterval="1h"),
        "monitorInterval",
    ),
    ("BatchPredictionJob", lambda b: b["inputConfig"].update(gcsSource={"uri": "gs://a/b"}), 'no field named "uri"'),
    ("Schedule", lambda b: b.update(cronSchedule="0 2 * * 0"), 'no field named "cronSchedule"'),
]


@pytest.mark.parametrize(("kind", "mutate", "words"), PROTOBUF_FAILURES)
def test_protobuf_refuses_unknown_fields_bad_enums_and_wrong_types(kind: str, mutate: Mutation, words: str) -> None:
    with pytest.raises(VertexBodyError, match=words) as caught:
        parse_body(kind, _mutated(kind, mutate))
    assert caught.value.kind == kind


# What ParseDict lets through and the walk catches.
WALK_FAILURES: list[tuple[str, Mutation, str, str]] = [
    ("Model", lambda b: b.update(display_name=b.pop("displayName")), "display_name", "JSON name is 'displayName'"),
    ("Model", lambda b: b.update(createTime="2026-01-01T00:00:00Z"), "createTime", "output-only"),
    ("Endpoint", lambda b: b.update(deployedModels=[]), "deployedModels", "output-only"),
    ("ModelDeploymentMonitoringJob", lambda b: b.update(state="JOB_STATE_RUNNING"), "state", "output-only"),
    (
        "DeployModelRequest",
        lambda b: _dedicated(b)["machineSpec"].update(acceleratorType=5),
        "deployedModel.dedicatedResources.machineSpec.acceleratorType",
        "written by name",
    ),
    (
        "DeployModelRequest",
        lambda b: _dedicated(b)["machineSpec"].update(acceleratorType="ACCELERATOR_TYPE_UNSPECIFIED"),
        "deployedModel.dedicatedResources.machineSpec.acceleratorType",
        "leave the field out",
    ),
    ("Model", lambda b: b["labels"].update({"Cost-Center": "1"}), "labels", "label key 'Cost-Center'"),
    ("Endpoint", lambda b: b["labels"].update({"team": "Risk ML"}), "labels", "label value 'Risk ML'"),
]


@pytest.mark.parametrize(("kind", "mutate", "path", "words"), WALK_FAILURES)
def test_the_walk_refuses_what_parsedict_accepts(kind: str, mutate: Mutation, path: str, words: str) -> None:
    with pytest.raises(VertexBodyError, match=words) as caught:
        parse_body(kind, _mutated(kind, mutate))
    assert caught.value.path == path


# The project's own checks.
PROJECT_FAILURES: list[tuple[str, Mutation, str, str]] = [
    ("Model", lambda b: b.pop("displayName"), "displayName", "required"),
    ("Model", lambda b: b.pop("artifactUri"), "artifactUri", "required"),
    ("Model", lambda b: b.update(artifactUri="s3://acme/model/"), "artifactUri", "gs://"),
    (
        "Model",
        lambda b: b["containerSpec"].update(imageUri="123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:1"),
        "containerSpec.imageUri",
        "Artifact Registry",
    ),
    ("Model", lambda b: b.update(name=MODEL_NAME), "name", "assigned on upload"),
    ("Model", lambda b: b["encryptionSpec"].update(kmsKeyName="alias/ml"), "encryptionSpec.kmsKeyName", "keyRings"),
    (
        "Model",
        lambda b: b["containerSpec"]["env"].append({"name": "BAD-NAME", "value": "x"}),
        "containerSpec.env[1].name",
        "C identifier",
    ),
    ("Endpoint", lambda b: b.update(trafficSplit={"1": 60, "2": 30}), "trafficSplit", "add up to 90"),
    (
        "Endpoint",
        lambda b: b["predictRequestResponseLoggingConfig"].update(samplingRate=20),
        "predictRequestResponseLoggingConfig.samplingRate",
        "outside",
    ),
    ("DeployModelRequest", lambda b: b.update(trafficSplit={"0": 5, "2000000": 90}), "trafficSplit", "add up to 95"),
    ("DeployModelRequest", lambda b: b.update(trafficSplit={"0": 105, "2000000": -5}), "trafficSplit", "105"),
    ("DeployModelRequest", lambda b: b.update(trafficSplit={"new": 100}), "trafficSplit", "not a DeployedModel id"),
    (
        "DeployModelRequest",
        lambda b: b.update(trafficSplit={"2001000": 5, "2000000": 95}),
        "trafficSplit",
        "'0' in trafficSplit",
    ),
    ("DeployModelRequest", lambda b: b.update(endpoint=f"{LOCATION}/endpoints/e"), "endpoint", "URL path"),
    (
        "DeployModelRequest",
        lambda b: _dedicated(b).update(minReplicaCount=3, maxReplicaCount=2),
        "deployedModel.dedicatedResources",
        "below minReplicaCount",
    ),
    (
        "DeployModelRequest",
        lambda b: _dedicated(b).update(minReplicaCount=0),
        "deployedModel.dedicatedResources",
        "at least 1",
    ),
    (
        "DeployModelRequest",
        lambda b: _dedicated(b)["machineSpec"].pop("acceleratorCount"),
        "deployedModel.dedicatedResources.machineSpec",
        "acceleratorCount",
    ),
    (
        "DeployModelRequest",
        lambda b: _dedicated(b)["autoscalingMetricSpecs"][0].update(metricName="cpu"),
        "deployedModel.dedicatedResources.autoscalingMetricSpecs[0]",
        "not one of",
    ),
    ("DeployModelRequest", lambda b: b["deployedModel"].update(id="v2"), "deployedModel.id", "1-10 digits"),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: b["loggingSamplingStrategy"]["randomSampleConfig"].update(sampleRate=1.5),
        "loggingSamplingStrategy.randomSampleConfig.sampleRate",
        "outside",
    ),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: b["loggingSamplingStrategy"]["randomSampleConfig"].update(sampleRate=0),
        "loggingSamplingStrategy.randomSampleConfig.sampleRate",
        "outside",
    ),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: _objective(b)["predictionDriftDetectionConfig"]["driftThresholds"]["amount"].update(value=2),
        "modelDeploymentMonitoringObjectiveConfigs[0].objectiveConfig.predictionDriftDetectionConfig"
        ".driftThresholds['amount'].value",
        "threshold 2",
    ),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: _objective(b).update(trainingPredictionSkewDetectionConfig={"skewThresholds": {"a": {"value": 0.2}}}),
        "modelDeploymentMonitoringObjectiveConfigs[0].objectiveConfig.trainingDataset",
        "required",
    ),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: b["modelDeploymentMonitoringScheduleConfig"].update(monitorInterval="1800s"),
        "modelDeploymentMonitoringScheduleConfig.monitorInterval",
        "whole hours",
    ),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: b["modelMonitoringAlertConfig"]["emailAlertConfig"].update(userEmails=["risk-ml"]),
        "modelMonitoringAlertConfig.emailAlertConfig.userEmails[0]",
        "email",
    ),
    (
        "ModelDeploymentMonitoringJob",
        lambda b: b["modelDeploymentMonitoringObjectiveConfigs"].append(
            copy.deepcopy(b["modelDeploymentMonitoringObjectiveConfigs"][0])
        ),
        "modelDeploymentMonitoringObjectiveConfigs[1]",
        "configured twice",
    ),
    ("ModelDeploymentMonitoringJob", lambda b: b.update(endpoint="fraud"), "endpoint", "endpoint name"),
    ("BatchPredictionJob", lambda b: b.pop("model"), "model", "required"),
    ("BatchPredictionJob", lambda b: b.pop("inputConfig"), "inputConfig", "required"),
    ("BatchPredictionJob", lambda b: b.pop("dedicatedResources"), "dedicatedResources", "required"),
    ("BatchPredictionJob", lambda b: b["inputConfig"].update(instancesFormat="bigquery"), "inputConfig", "gcsSource"),
    (
        "BatchPredictionJob",
        lambda b: b["inputConfig"].update(instancesFormat="parquet"),
        "inputConfig.instancesFormat",
        "not one of",
    ),
    (
        "BatchPredictionJob",
        lambda b: b["outputConfig"].update(bigqueryDestination={"outputUri": "acme-ml.scored"}),
        "outputConfig.bigqueryDestination.outputUri",
        "bq://",
    ),
    (
        "BatchPredictionJob",
        lambda b: b["dedicatedResources"].update(startingReplicaCount=5),
        "dedicatedResources",
        "below",
    ),
    ("Schedule", lambda b: b.update(cron="0 2 * *"), "cron", "five-field"),
    ("Schedule", lambda b: b.update(maxConcurrentRunCount=0), "maxConcurrentRunCount", "at least 1"),
    (
        "Schedule",
        lambda b: b["createPipelineJobRequest"].update(pipelineJobId="fraud-retrain"),
        "createPipelineJobRequest.pipelineJobId",
        "collide",
    ),
    (
        "Schedule",
        lambda b: b["createPipelineJobRequest"].update(parent="acme-ml"),
        "createPipelineJobRequest.parent",
        "projects/P/locations/L",
    ),
    (
        "Schedule",
        lambda b: _pipeline_job(b).pop("runtimeConfig"),
        "createPipelineJobRequest.pipelineJob.runtimeConfig",
        "required",
    ),
    (
        "Schedule",
        lambda b: _pipeline_job(b)["pipelineSpec"].pop("root"),
        "createPipelineJobRequest.pipelineJob.pipelineSpec",
        "missing root",
    ),
]


@pytest.mark.parametrize(("kind", "mutate", "path", "words"), PROJECT_FAILURES)
def test_the_project_checks_fire(kind: str, mutate: Mutation, path: str, words: str) -> None:
    with pytest.raises(VertexBodyError, match=words) as caught:
        parse_body(kind, _mutated(kind, mutate))
    assert (caught.value.kind, caught.value.path) == (kind, path)


def test_unknown_kind_and_non_json_bodies_are_refused() -> None:
    with pytest.raises(VertexBodyError, match="unknown kind"):
        parse_body("InferenceService", {})
    with pytest.raises(VertexBodyError, match="not JSON data"):
        parse_body("Model", {**VALID["Model"], "description": float("nan")})


def test_output_only_fields_come_from_the_api_documentation() -> None:
    assert {"createTime", "updateTime", "deployedModels", "versionId"} <= output_only_fields("Model")
    assert {"name", "deployedModels", "modelDeploymentMonitoringJob"} <= output_only_fields("Endpoint")
    assert {"createTime", "modelVersionId", "status"} <= output_only_fields("DeployedModel")
    assert {"state", "outputInfo", "completionStats"} <= output_only_fields("BatchPredictionJob")
    assert {"state", "startedRunCount", "nextRunTime"} <= output_only_fields("Schedule")
    for kind in KINDS:
        assert "displayName" not in output_only_fields(kind)
        assert "labels" not in output_only_fields(kind)


def test_traffic_split_check() -> None:
    check_traffic_split({"0": 5, "123": 95})
    check_traffic_split({"0": 100})
    for bad in ({}, {"0": 50}, {"0": 50, "1": 51}, {"0": -10, "1": 110}, {"x": 100}, {"0": 99.5, "1": 0.5}):
        with pytest.raises(VertexBodyError):
            check_traffic_split(bad)  # type: ignore[arg-type]


def test_replica_sample_rate_and_threshold_checks() -> None:
    check_replica_bounds(1, None)
    check_replica_bounds(2, 2)
    for low, high in ((0, 1), (3, 2), (True, 2)):
        with pytest.raises(VertexBodyError):
            check_replica_bounds(low, high)
    check_sample_rate(1, path="r")
    check_sample_rate(0.05, path="r")
    check_threshold(0.3, path="t")
    for bad in (0, -0.1, 1.01, float("nan"), "0.5", True):
        with pytest.raises(VertexBodyError):
            check_sample_rate(bad, path="r")
        with pytest.raises(VertexBodyError):
            check_threshold(bad, path="t")
