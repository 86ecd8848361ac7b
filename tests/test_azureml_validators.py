"""The Azure ML validators are strict: minimal valid files load, mutated copies fail.

Each kind of file the Azure ML target renders has a minimal valid document here (checked by the
azure-ai-ml loader and by the project's checks). Mutations prove the strictness the goldens rely
on: an unknown key, a wrong type, a read-only key, a wrong ``$schema``, a duplicate key, and for
every project check the value the loader lets through but Azure (or the project) refuses.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.validators.azureml import (
    KINDS,
    SCHEMA_URLS,
    AzureMLLoadError,
    check_autoscale_arm,
    check_batch_deployment,
    check_batch_endpoint,
    check_endpoint_traffic,
    check_monitor_schedule,
    check_online_deployment,
    check_schedule,
    load_azureml,
    quiet_marshmallow,
)
from tests.validators.azureml_examples import ARM, ENV, KV_SECRET, PIPELINE, SHA, VALID


def _dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def _mutated(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``doc`` with ``value`` set at the dotted ``path`` (digits index lists)."""
    copied = copy.deepcopy(doc)
    *parents, last = path.split(".")
    node: Any = copied
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return copied


def _load(kind: str, doc: dict[str, Any]) -> object:
    return load_azureml(kind, _dump(doc))


# --------------------------------------------------------------------------------------------
# Valid documents
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_valid_document_loads(kind: str) -> None:
    entity = _load(kind, VALID[kind])
    assert (
        type(entity).__name__
        == {
            "model": "Model",
            "managedOnlineEndpoint": "ManagedOnlineEndpoint",
            "managedOnlineDeployment": "ManagedOnlineDeployment",
            "batchEndpoint": "BatchEndpoint",
            "modelBatchDeployment": "ModelBatchDeployment",
            "monitorSchedule": "MonitorSchedule",
            "schedule": "JobSchedule",
            "pipelineJob": "PipelineJob",
            "amlCompute": "AmlCompute",
        }[kind]
    )


def test_valid_documents_pass_project_checks() -> None:
    assert check_endpoint_traffic(VALID["managedOnlineEndpoint"], ["v2-0-0", "v2-1-0"]) == []
    assert check_online_deployment(VALID["managedOnlineDeployment"], model_type="custom_model") == []
    assert check_batch_endpoint(VALID["batchEndpoint"]) == []
    assert check_batch_deployment(VALID["modelBatchDeployment"], model_type="custom_model") == []
    assert check_monitor_schedule(VALID["monitorSchedule"]) == []
    assert check_schedule(VALID["schedule"]) == []
    assert check_autoscale_arm(ARM) == []


def test_loaded_values_match_the_document() -> None:
    deployment: Any = _load("managedOnlineDeployment", VALID["managedOnlineDeployment"])
    assert deployment.instance_type == "Standard_F4s_v2"
    assert deployment.instance_count == 2
    assert deployment.environment == ENV
    assert deployment.environment_variables["FEATURE_STORE_TOKEN"] == "${{keyvault:" + KV_SECRET + "}}"
    assert deployment.request_settings.request_timeout_ms == 5000
    endpoint: Any = _load("managedOnlineEndpoint", VALID["managedOnlineEndpoint"])
    assert endpoint.traffic == {"v2-0-0": 95, "v2-1-0": 5}


def test_schedule_loads_a_local_pipeline_next_to_it(tmp_path: Path) -> None:
    (tmp_path / "retraining-pipeline.yaml").write_text(_dump(PIPELINE))
    doc = _mutated(VALID["schedule"], "create_job", "./retraining-pipeline.yaml")
    schedule: Any = load_azureml("schedule", _dump(doc), origin=tmp_path / "retraining-schedule.yaml")
    assert type(schedule.create_job).__name__ == "PipelineJob"

    (tmp_path / "retraining-pipeline.yaml").write_text(_dump(_mutated(PIPELINE, "jobs.train.bogus", 1)))
    # The step no longer matches any node schema of the union, so marshmallow reports a missing field.
    with pytest.raises(AzureMLLoadError, match="create_job"):
        load_azureml("schedule", _dump(doc), origin=tmp_path / "retraining-schedule.yaml")


# --------------------------------------------------------------------------------------------
# Strictness of the loaders: unknown keys, wrong types, enumerations
# --------------------------------------------------------------------------------------------

UNKNOWN_KEYS = [
    ("model", "bogus"),
    ("managedOnlineEndpoint", "bogus"),
    ("managedOnlineDeployment", "bogus"),
    ("managedOnlineDeployment", "liveness_probe.bogus"),
    ("managedOnlineDeployment", "request_settings.bogus"),
    ("managedOnlineDeployment", "data_collector.collections.model_inputs.bogus"),
    ("batchEndpoint", "defaults.bogus"),
    ("modelBatchDeployment", "settings.bogus"),
    ("modelBatchDeployment", "settings.retry_settings.bogus"),
    ("monitorSchedule", "create_monitor.bogus"),
    ("monitorSchedule", "create_monitor.monitoring_signals.data-drift.bogus"),
    ("monitorSchedule", "create_monitor.monitoring_signals.data-drift.metric_thresholds.numerical.psi"),
    ("schedule", "trigger.bogus"),
]


@pytest.mark.parametrize(("kind", "path"), UNKNOWN_KEYS)
def test_unknown_key_fails(kind: str, path: str) -> None:
    with pytest.raises(AzureMLLoadError, match=r"Unknown field|Missing data|not in set|Not a valid"):
        _load(kind, _mutated(VALID[kind], path, 1))


WRONG_VALUES = [
    ("model", "version", [2]),
    ("model", "type", "onnx_model"),
    ("managedOnlineEndpoint", "traffic.v2-1-0", "five"),
    ("managedOnlineEndpoint", "auth_mode", "none"),
    ("managedOnlineEndpoint", "traffic.v2-1-0", 50),  # 95 + 50 > 100: the one traffic rule it has
    ("managedOnlineDeployment", "instance_count", "two"),
    ("managedOnlineDeployment", "liveness_probe.timeout", "PT2S"),
    ("managedOnlineDeployment", "data_collector.collections.model_inputs.enabled", True),
    ("managedOnlineDeployment", "data_collector.sampling_rate", 20),
    ("managedOnlineDeployment", "egress_public_network_access", "no"),
    ("managedOnlineDeployment", "environment", "not-a-reference"),
    ("managedOnlineDeployment", "model", "fraud-detection"),
    ("batchEndpoint", "auth_mode", "token"),
    ("modelBatchDeployment", "settings.mini_batch_size", "ten"),
    ("modelBatchDeployment", "settings.output_action", "append"),
    ("monitorSchedule", "create_monitor.monitoring_target.ml_task", "ranking"),
    ("monitorSchedule", "create_monitor.monitoring_signals.data-drift.type", "data_drfit"),
    ("monitorSchedule", "create_monitor.alert_notification", "slack"),
    ("monitorSchedule", "trigger.frequency", "fortnight"),
    ("schedule", "trigger.type", "hourly"),
]


@pytest.mark.parametrize(("kind", "path", "value"), WRONG_VALUES)
def test_wrong_type_or_value_fails(kind: str, path: str, value: Any) -> None:
    with pytest.raises(AzureMLLoadError):
        _load(kind, _mutated(VALID[kind], path, value))


def test_categorical_chi_squared_is_named_pearsons() -> None:
    # reference-yaml-monitor.md says chi_squared_test; the CLI only knows pearsons_chi_squared_test.
    signal = "create_monitor.monitoring_signals.data-drift.metric_thresholds.categorical"
    _load("monitorSchedule", _mutated(VALID["monitorSchedule"], signal, {"pearsons_chi_squared_test": 0.05}))
    with pytest.raises(AzureMLLoadError, match="chi_squared_test"):
        _load("monitorSchedule", _mutated(VALID["monitorSchedule"], signal, {"chi_squared_test": 0.05}))


# --------------------------------------------------------------------------------------------
# What load_azureml adds to the loaders
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("managedOnlineEndpoint", "kind", "managed"),
        ("model", "id", "azureml:fraud-detection:2.1.0"),
        ("schedule", "is_enabled", False),
        ("monitorSchedule", "provisioning_state", "Succeeded"),
    ],
)
def test_read_only_key_fails(kind: str, key: str, value: Any) -> None:
    with pytest.raises(AzureMLLoadError, match=f"read-only keys.*{key}"):
        _load(kind, {**VALID[kind], key: value})


def test_read_only_keys_are_found_in_nested_schemas() -> None:
    doc = _mutated(VALID["managedOnlineDeployment"], "code_configuration.$schema", "x")
    # A nested $schema is read-only too; only the top-level one is the file's own.
    with pytest.raises(AzureMLLoadError, match=r"read-only keys.*code_configuration\.\$schema"):
        _load("managedOnlineDeployment", doc)


@pytest.mark.parametrize("kind", KINDS)
def test_schema_url_is_required(kind: str) -> None:
    doc = {key: value for key, value in VALID[kind].items() if key != "$schema"}
    with pytest.raises(AzureMLLoadError, match=r"\$schema must be"):
        _load(kind, doc)
    with pytest.raises(AzureMLLoadError, match=r"\$schema must be"):
        _load(kind, {"$schema": SCHEMA_URLS["model" if kind != "model" else "schedule"], **doc})


def test_duplicate_key_fails() -> None:
    text = _dump(VALID["managedOnlineEndpoint"]) + "auth_mode: aml_token\n"
    line = len(text.splitlines())
    with pytest.raises(AzureMLLoadError, match=f"duplicate key 'auth_mode' at line {line}, column 1"):
        load_azureml("managedOnlineEndpoint", text)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "a: [b\n"])
def test_not_one_mapping_fails(text: str) -> None:
    with pytest.raises(AzureMLLoadError, match=r"mapping|not YAML"):
        load_azureml("model", text)


def test_document_of_another_entity_fails() -> None:
    kubernetes = {**VALID["managedOnlineDeployment"], "type": "kubernetes"}
    with pytest.raises(AzureMLLoadError):
        _load("managedOnlineDeployment", kubernetes)
    as_job_schedule = {**VALID["monitorSchedule"], "$schema": SCHEMA_URLS["schedule"]}
    with pytest.raises(AzureMLLoadError, match="loaded as MonitorSchedule, expected JobSchedule"):
        _load("schedule", as_job_schedule)


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown Azure ML kind"):
        load_azureml("kubernetesOnlineEndpoint", "name: x\n")


def test_monitor_errors_keep_the_loader_message() -> None:
    # azure-ai-ml's MonitorSchedule error path raises NotImplementedError; the message survives.
    with pytest.raises(AzureMLLoadError, match=r'"bogus": \[\s*"Unknown field'):
        _load("monitorSchedule", {**VALID["monitorSchedule"], "bogus": 1})


def test_only_marshmallow_deprecations_are_silenced() -> None:
    with quiet_marshmallow(), pytest.raises(DeprecationWarning, match="something else"):
        warnings.warn("something else", DeprecationWarning, stacklevel=1)


# --------------------------------------------------------------------------------------------
# Project checks: accepted by the loader, refused by Azure or the project
# --------------------------------------------------------------------------------------------

DEPLOYMENTS = ["v2-0-0", "v2-1-0"]
ENDPOINT = VALID["managedOnlineEndpoint"]

TRAFFIC_CASES = [
    ({"traffic": {"v2-0-0": 90, "v2-1-0": 5}}, "sum to 95, not 100"),
    ({"traffic": {"v2-0-0": 0, "v2-1-0": 0}}, "sum to 0, not 100"),
    ({"traffic": {"v2-0-0": 105, "v2-1-0": -5}}, "not an integer percentage 0-100"),
    ({"traffic": {"v2-0-0": 95.5, "v2-1-0": 4.5}}, "not an integer percentage"),
    ({"traffic": {"v2-0-0": "95", "v2-1-0": "5"}}, "not an integer percentage"),
    ({"traffic": {"blue": 95, "v2-1-0": 5}}, "'blue' is not a deployment"),
    ({"traffic": {"v2-0-0": 100}, "mirror_traffic": {"v2-1-0": 60}}, "0-50"),
    ({"traffic": {"v2-0-0": 100}, "mirror_traffic": {"v2-1-0": -1}}, "0-50"),
    ({"traffic": {"v2-0-0": 95, "v2-1-0": 5}, "mirror_traffic": {"v2-1-0": 10}}, "live or mirror"),
    ({"traffic": {"v2-0-0": 100}, "mirror_traffic": {"v2-1-0": 10, "v2-0-0": 5}}, "one deployment only"),
    ({"name": "Fraud-Detection"}, "lower-case"),
    ({"name": "fraud--detection"}, "single dashes"),
    ({"name": "f" * 33}, "3-32"),
]


@pytest.mark.parametrize(("change", "problem"), TRAFFIC_CASES)
def test_traffic_rules(change: dict[str, Any], problem: str) -> None:
    doc = {**ENDPOINT, **change}
    _load("managedOnlineEndpoint", doc)  # the loader lets every one of these through
    problems = check_endpoint_traffic(doc, DEPLOYMENTS)
    assert any(problem in p for p in problems), problems


def test_endpoint_without_traffic_is_not_live() -> None:
    doc = {key: value for key, value in ENDPOINT.items() if key != "traffic"}
    assert check_endpoint_traffic(doc, DEPLOYMENTS) == [
        "traffic: missing; a live endpoint must route 100% of requests to its deployments"
    ]


def test_shadow_mirrors_to_a_deployment_without_live_traffic() -> None:
    doc = {**ENDPOINT, "traffic": {"v2-0-0": 100}, "mirror_traffic": {"v2-1-0": 50}}
    assert check_endpoint_traffic(doc, DEPLOYMENTS) == []
    doc["traffic"] = {"v2-0-0": 100, "v2-1-0": 0}
    assert check_endpoint_traffic(doc, DEPLOYMENTS) == []
    # 0 turns mirroring off (azureml-examples cli/deploy-safe-rollout-online-endpoints.sh, reset_mirror_traffic)
    doc["mirror_traffic"] = {"v2-1-0": 0}
    assert check_endpoint_traffic(doc, DEPLOYMENTS) == []


DEPLOYMENT_CASES = [
    ("instance_count", 0, "instance_count: 0 is not an integer >= 1"),
    ("instance_count", None, "instance_count: None"),
    ("model", None, "model: None"),
    ("environment", None, "environment: missing"),
    ("code_configuration", None, "code_configuration: missing"),
    ("instance_type", "Standard_F3s_v2", "not a VM size that Azure ML managed online endpoints accept (did"),
    ("instance_type", "Standard_NC6s_v3", "retired on 2025-09-30"),
    ("name", "v2.1.0", "deployment name 'v2.1.0'"),
    ("request_settings.request_timeout_ms", 300_000, "1-180000"),
    ("liveness_probe.timeout", 0, "liveness_probe.timeout: 0"),
    ("liveness_probe.success_threshold", 2, "fixed at 1"),
    ("data_collector.sampling_rate", 0.0, "collects nothing"),
    ("scale_settings", {"type": "target_utilization", "max_instances": 3}, "only take type default"),
    ("environment_variables.WORKERS", 4, "quote it"),
    ("environment_variables.FEATURE_STORE_TOKEN", "${{keyvault:https://acme-kv.vault.azure.net/secrets/x}}", "32-hex"),
]


@pytest.mark.parametrize(("path", "value", "problem"), DEPLOYMENT_CASES)
def test_online_deployment_rules(path: str, value: Any, problem: str) -> None:
    doc = _mutated(VALID["managedOnlineDeployment"], path, value)
    doc = {key: item for key, item in doc.items() if item is not None}
    _load("managedOnlineDeployment", doc)  # accepted by the loader
    problems = check_online_deployment(doc, model_type="custom_model")
    assert any(problem in p for p in problems), problems


def test_scoring_code_is_optional_for_mlflow_models_and_custom_containers() -> None:
    doc = {key: item for key, item in VALID["managedOnlineDeployment"].items() if key != "code_configuration"}
    assert check_online_deployment(doc, model_type="mlflow_model") == []
    container = {
        **doc,
        "environment": {
            "image": "acme.azurecr.io/fraud-serve@" + SHA,
            "inference_config": {
                "liveness_route": {"port": 8080, "path": "/v2/health/live"},
                "readiness_route": {"port": 8080, "path": "/v2/health/ready"},
                "scoring_route": {"port": 8080, "path": "/v2/models/fraud-detection/infer"},
            },
        },
    }
    _load("managedOnlineDeployment", container)
    assert check_online_deployment(container, model_type="custom_model") == []


BATCH_CASES = [
    ("type", "pipeline", "type: 'pipeline'"),
    ("compute", "cpu-cluster", "azureml:<compute-name>"),
    ("resources.instance_count", 0, "resources.instance_count: 0"),
    ("settings.logging_level", "chatty", "not warning, info or debug"),
    ("settings.mini_batch_size", 0, "settings.mini_batch_size: 0"),
    ("settings.error_threshold", -2, "settings.error_threshold: -2"),
    ("model", None, "model: None"),
]


@pytest.mark.parametrize(("path", "value", "problem"), BATCH_CASES)
def test_batch_deployment_rules(path: str, value: Any, problem: str) -> None:
    doc = _mutated(VALID["modelBatchDeployment"], path, value)
    doc = {key: item for key, item in doc.items() if item is not None}
    _load("modelBatchDeployment", doc)
    problems = check_batch_deployment(doc, model_type="custom_model")
    assert any(problem in p for p in problems), problems


def test_batch_endpoint_takes_entra_tokens_only() -> None:
    doc = {**VALID["batchEndpoint"], "auth_mode": "key"}
    _load("batchEndpoint", doc)
    assert check_batch_endpoint(doc) == ["auth_mode: batch endpoints only support aad_token, got 'key'"]


MONITOR_CASES = [
    ("create_monitor.compute.instance_type", "Standard_F4s_v2", "compute.instance_type"),
    ("create_monitor.monitoring_target.ml_task", "QuestionAnswering", "data drift supports classification"),
    ("create_monitor.monitoring_target.endpoint_deployment_id", "fraud-detection/v2-1-0", "azureml:<endpoint>"),
    (
        "create_monitor.monitoring_signals.data-drift.metric_thresholds.numerical.population_stability_index",
        -0.1,
        "not a threshold >= 0",
    ),
    ("create_monitor.alert_notification.emails", ["risk-ml"], "not an e-mail address"),
    ("trigger", {"type": "cron", "expression": "0 2 * *"}, "five-field cron"),
    ("trigger", {"type": "cron", "expression": "0 2 * * 0", "time_zone": "Mars/Olympus"}, "time zone"),
]


@pytest.mark.parametrize(("path", "value", "problem"), MONITOR_CASES)
def test_monitor_schedule_rules(path: str, value: Any, problem: str) -> None:
    doc = _mutated(VALID["monitorSchedule"], path, value)
    _load("monitorSchedule", doc)
    problems = check_monitor_schedule(doc)
    assert any(problem in p for p in problems), problems


def test_job_schedule_cron_is_checked() -> None:
    doc = _mutated(VALID["schedule"], "trigger.expression", "every sunday")
    _load("schedule", doc)
    assert check_schedule(doc) == ["trigger.expression: 'every sunday' is not a five-field cron expression"]


# --------------------------------------------------------------------------------------------
# Autoscale ARM template
# --------------------------------------------------------------------------------------------

RULE = "resources.0.properties.profiles.0.rules.0"
ARM_CASES = [
    ("resources.0.apiVersion", "2015-04-01", "apiVersion: expected 2022-10-01"),
    ("resources.0.type", "Microsoft.Insights/autoscaleSettingz", "type: expected"),
    ("resources.0.properties.bogus", 1, "properties.bogus: unknown property"),
    ("resources.0.properties.profiles.0.capacity.minimum", 2, "must be a string"),
    ("resources.0.properties.profiles.0.capacity.default", "20", "minimum <= default <= maximum"),
    ("resources.0.properties.profiles.0.capacity.minimum", "0", "cannot scale to 0"),
    ("resources.0.properties.targetResourceUri", "/subscriptions/x/resourceGroups/y", "online deployment"),
    (f"{RULE}.metricTrigger.statistic", "Mean", "statistic: 'Mean' not in"),
    (f"{RULE}.metricTrigger.timeWindow", "5m", "ISO 8601"),
    (f"{RULE}.metricTrigger.metricName", "Percentage CPU", "not an Azure ML online"),
    (f"{RULE}.metricTrigger.threshold", "70", "expected a number"),
    (f"{RULE}.scaleAction.value", 1, "whole number >= 1"),
    (f"{RULE}.scaleAction.cooldown", "300", "ISO 8601"),
    (f"{RULE}.scaleAction.direction", "Up", "direction: 'Up' not in"),
]


@pytest.mark.parametrize(("path", "value", "problem"), ARM_CASES)
def test_autoscale_arm_rules(path: str, value: Any, problem: str) -> None:
    problems = check_autoscale_arm(_mutated(ARM, path, value))
    assert any(problem in p for p in problems), problems


def test_autoscale_arm_required_properties() -> None:
    doc = copy.deepcopy(ARM)
    del doc["resources"][0]["properties"]["profiles"][0]["rules"][0]["metricTrigger"]["timeGrain"]
    del doc["resources"][0]["location"]
    assert check_autoscale_arm(doc) == [
        "resources[0].location: required",
        "resources[0].properties.profiles[0].rules[0].metricTrigger.timeGrain: required",
    ]
