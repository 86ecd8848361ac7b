"""Minimal valid Azure ML files of every kind the target renders, as Python data.

Each one loads with the azure-ai-ml loader and passes the project's checks (see
tests/test_azureml_validators.py); the tests mutate copies to prove strictness, and the Azure ML
target's goldens can be compared against them. They follow the reference mlops.yaml
(fraud-detection, xgboost 1.7, canary at 5%).
"""

from __future__ import annotations

from typing import Any

from tests.validators.azureml import SCHEMA_URLS

SHA = "sha256:3f4d9e0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6"
ENV = "azureml://registries/azureml/environments/sklearn-1.5/versions/54"
KV_SECRET = "https://acme-kv.vault.azure.net/secrets/feature-store-token/0123456789abcdef0123456789abcdef"

VALID: dict[str, dict[str, Any]] = {
    "model": {
        "$schema": SCHEMA_URLS["model"],
        "name": "fraud-detection",
        "version": "2.1.0",
        "type": "custom_model",
        "path": "azureml://datastores/models/paths/fraud-detection/2.1.0/",
        "description": "fraud-detection 2.1.0 (xgboost 1.7)",
        "tags": {"owner": "risk-ml@example.com", "digest": SHA},
    },
    "managedOnlineEndpoint": {
        "$schema": SCHEMA_URLS["managedOnlineEndpoint"],
        "name": "fraud-detection",
        "auth_mode": "key",
        "traffic": {"v2-0-0": 95, "v2-1-0": 5},
        "public_network_access": "enabled",
        "tags": {"owner": "risk-ml@example.com"},
    },
    "managedOnlineDeployment": {
        "$schema": SCHEMA_URLS["managedOnlineDeployment"],
        "name": "v2-1-0",
        "endpoint_name": "fraud-detection",
        "model": "azureml:fraud-detection:2.1.0",
        "code_configuration": {"code": "./score", "scoring_script": "score.py"},
        "environment": ENV,
        "instance_type": "Standard_F4s_v2",
        "instance_count": 2,
        "environment_variables": {
            "LOG_LEVEL": "info",
            "FEATURE_STORE_TOKEN": "${{keyvault:" + KV_SECRET + "}}",
        },
        "request_settings": {"request_timeout_ms": 5000, "max_concurrent_requests_per_instance": 1},
        "liveness_probe": {"initial_delay": 30, "period": 10, "timeout": 2, "failure_threshold": 30},
        "readiness_probe": {"initial_delay": 10, "period": 10, "timeout": 2, "failure_threshold": 3},
        "data_collector": {
            "collections": {"model_inputs": {"enabled": "true"}, "model_outputs": {"enabled": "true"}},
            "sampling_rate": 0.2,
        },
        "egress_public_network_access": "disabled",
    },
    "batchEndpoint": {
        "$schema": SCHEMA_URLS["batchEndpoint"],
        "name": "fraud-detection-batch",
        "auth_mode": "aad_token",
        "defaults": {"deployment_name": "v2-1-0"},
    },
    "modelBatchDeployment": {
        "$schema": SCHEMA_URLS["modelBatchDeployment"],
        "name": "v2-1-0",
        "endpoint_name": "fraud-detection-batch",
        "type": "model",
        "model": "azureml:fraud-detection:2.1.0",
        "code_configuration": {"code": "./score", "scoring_script": "batch_score.py"},
        "environment": ENV,
        "compute": "azureml:cpu-cluster",
        "resources": {"instance_count": 2},
        "settings": {
            "max_concurrency_per_instance": 2,
            "mini_batch_size": 10,
            "output_action": "append_row",
            "output_file_name": "predictions.csv",
            "retry_settings": {"max_retries": 3, "timeout": 300},
            "error_threshold": -1,
            "logging_level": "info",
        },
    },
    "monitorSchedule": {
        "$schema": SCHEMA_URLS["monitorSchedule"],
        "name": "fraud-detection-monitor",
        "trigger": {"type": "recurrence", "frequency": "day", "interval": 1, "schedule": {"hours": 3, "minutes": 0}},
        "create_monitor": {
            "compute": {"instance_type": "standard_e4s_v3", "runtime_version": "3.4"},
            "monitoring_target": {
                "ml_task": "classification",
                "endpoint_deployment_id": "azureml:fraud-detection:v2-1-0",
            },
            "monitoring_signals": {
                "data-drift": {
                    "type": "data_drift",
                    "features": ["amount", "merchant_category"],
                    "alert_enabled": True,
                    "metric_thresholds": {
                        "numerical": {"population_stability_index": 0.2},
                        "categorical": {"population_stability_index": 0.2},
                    },
                }
            },
            "alert_notification": {"emails": ["risk-ml@example.com"]},
        },
    },
    "schedule": {
        "$schema": SCHEMA_URLS["schedule"],
        "name": "fraud-detection-retraining",
        "trigger": {"type": "cron", "expression": "0 2 * * 0", "time_zone": "UTC"},
        "create_job": "azureml:fraud-detection-retraining",
    },
}

PIPELINE = {
    "$schema": "https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json",
    "type": "pipeline",
    "display_name": "fraud-detection-retraining",
    "jobs": {
        "train": {
            "type": "command",
            "command": "python -m fraud.train",
            "environment": {"image": "acme.azurecr.io/fraud-train@" + SHA},
            "resources": {"instance_type": "Standard_DS3_v2", "instance_count": 1},
        }
    },
}

ARM: dict[str, Any] = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [
        {
            "type": "Microsoft.Insights/autoscalesettings",
            "apiVersion": "2022-10-01",
            "name": "fraud-detection-v2-1-0",
            "location": "eastus",
            "properties": {
                "enabled": True,
                "targetResourceUri": "[resourceId('Microsoft.MachineLearningServices/workspaces/"
                "onlineEndpoints/deployments', 'acme-ml', 'fraud-detection', 'v2-1-0')]",
                "profiles": [
                    {
                        "name": "default",
                        "capacity": {"minimum": "2", "maximum": "10", "default": "2"},
                        "rules": [
                            {
                                "metricTrigger": {
                                    "metricName": "CpuUtilizationPercentage",
                                    "metricResourceUri": "[resourceId('Microsoft.MachineLearningServices/"
                                    "workspaces/onlineEndpoints/deployments', 'acme-ml', 'fraud-detection', "
                                    "'v2-1-0')]",
                                    "timeGrain": "PT1M",
                                    "statistic": "Average",
                                    "timeWindow": "PT5M",
                                    "timeAggregation": "Average",
                                    "operator": "GreaterThan",
                                    "threshold": 70,
                                },
                                "scaleAction": {
                                    "direction": "Increase",
                                    "type": "ChangeCount",
                                    "value": "1",
                                    "cooldown": "PT5M",
                                },
                            }
                        ],
                    }
                ],
            },
        }
    ],
}

VALID["pipelineJob"] = PIPELINE
# reference-yaml-compute-aml.md's example (azureml-examples cli/resources/compute/cluster-minimal.yml + size)
VALID["amlCompute"] = {
    "$schema": "https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json",
    "name": "cpu-cluster",
    "type": "amlcompute",
    "size": "Standard_DS3_v2",
    "min_instances": 0,
    "max_instances": 2,
    "idle_time_before_scale_down": 120,
}
