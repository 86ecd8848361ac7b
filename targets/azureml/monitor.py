"""monitor.yaml: an Azure ML model monitor (monitorSchedule) with data drift signals.

The spec has three drift levels; a data_drift signal takes one threshold per metric, so the two
levels that act get a signal each: ``drift-investigate`` (alert: someone looks) and
``drift-retrain`` (alert; with ``retraining.triggers: [drift]`` it is the retraining trigger,
routed from Azure Monitor to the retraining pipeline). ``monitor`` (the lowest level) is what the
daily run computes and shows on the monitoring dashboard without alerting. Each threshold is translated
to Azure's metric, units and alert direction by drift.py (the target refuses what cannot be translated
before emit runs).
Production data is the deployment's collected ``model_inputs`` (data collection is switched on
whenever drift is monitored); without reference data Azure compares with the deployment's own
earlier window (the training set is not a registered data asset the spec can name).
"""

from __future__ import annotations

from collections.abc import Mapping

from mlopsc.compiler.ir import Json, Plan, Stack
from mlopsc.targets.azureml import catalog, drift
from mlopsc.targets.azureml.documents import SCHEMA
from mlopsc.targets.azureml.stack import AzureMLStack

RUN_HOUR_UTC = 3  # daily, after the night's traffic has been collected


def drift_features(plan: Plan) -> Json:
    spec = plan.spec
    drift = spec.monitoring.drift if spec.monitoring else None
    assert drift is not None
    if drift.features:
        return list(drift.features)
    if spec.model.signature:
        return [f.name for f in spec.model.signature.inputs]
    return "all_features"


def recipients(plan: Plan) -> list[str]:
    """monitoring.alerts.emails, or the owner when none is given."""
    spec = plan.spec
    emails = spec.monitoring.alerts.emails if spec.monitoring else []
    return list(emails) or [spec.metadata.owner]


def monitor_doc(plan: Plan, stack: Stack, tags: Mapping[str, str]) -> Json:
    az = AzureMLStack.of(stack)
    spec = plan.spec
    assert spec.monitoring is not None and spec.monitoring.drift is not None
    method = spec.monitoring.drift.method.value
    d = plan.derived
    signals: dict[str, Json] = {}
    for level, threshold in (("investigate", d.drift_investigate), ("retrain", d.drift_retrain)):
        thresholds: dict[str, Json] = {
            side: dict(metrics) for side, metrics in drift.translate(method, threshold).thresholds.items()
        }
        signals[f"drift-{level}"] = {
            "type": "data_drift",
            "features": drift_features(plan),
            "alert_enabled": True,
            "metric_thresholds": thresholds,
            "properties": {"mlopsc-level": level},
        }
    return {
        "$schema": SCHEMA + "monitorSchedule.schema.json",
        "name": f"{az.endpoint}-monitor",
        "display_name": f"{plan.model_name} drift ({plan.environment})",
        "description": f"Data drift of {plan.model_name} {spec.model.version} ({method}), daily; rendered by mlopsc",
        "tags": dict(tags),
        "trigger": {
            "type": "recurrence",
            "frequency": "day",
            "interval": 1,
            "schedule": {"hours": [RUN_HOUR_UTC], "minutes": [0]},
            "time_zone": "UTC",
        },
        "create_monitor": {
            "compute": {
                "instance_type": catalog.MONITOR_SPARK_INSTANCE_TYPES[0],
                "runtime_version": catalog.MONITOR_SPARK_RUNTIME,
            },
            "monitoring_target": {
                "ml_task": spec.model.type.value,
                "endpoint_deployment_id": f"azureml:{az.endpoint}:{az.deployment}",
            },
            "monitoring_signals": signals,
            "alert_notification": {"emails": list[Json](recipients(plan))},
        },
    }
