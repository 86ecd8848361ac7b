"""Azure ML validators for tests: the azure-ai-ml YAML loaders, offline, plus the checks they miss.

``load_azureml(kind, text)`` runs the loader that ``az ml <group> create -f`` runs (the CLI is a thin
wrapper over these SDK functions) on rendered text, without credentials or network. The loaders
are marshmallow schemas with ``unknown = RAISE`` on every level, so an unknown key or a wrong type
fails. What they do not catch, found by probing azure-ai-ml 1.35 (notes in
/tmp/research/azureml.md), is checked here:

- read-only ("dump_only") keys are dropped without a word (``kind`` on an endpoint, ``is_enabled``
  on a schedule, ``id`` on a model): ``load_azureml`` rejects them by walking the loader's schema;
- ``$schema`` is never read: ``load_azureml`` requires the URL of the kind;
- duplicate YAML keys are resolved last-wins by PyYAML: ``load_azureml`` rejects them;
- values: traffic sums, mirror limits, instance counts, SKUs, probe minimums, request timeouts,
  batch settings, monitor compute, cron expressions: the ``check_*`` functions, which return a
  list of problems (empty when the document is fine) so that a test can assert the exact one.

azure-ai-ml emits marshmallow 4 deprecation warnings when it is imported (about 470) and on every
load (``context`` parameter). They are silenced here, by category and message, inside
``warnings.catch_warnings()``, so pytest's ``filterwarnings = error`` stays on for everything else.
Importing azure.ai.ml costs about 2.3 s, once per process; a load then costs 2-20 ms.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, TypeGuard

import yaml

from mlopsc.targets.azureml import catalog
from tests.validators.azureml_environment import scoring_environment_problems
from tests.validators.azureml_monitor import level_order_problems

_SCHEMA_BASE: Final = "https://azuremlschemas.azureedge.net/latest/"

# kind -> the $schema URL a rendered file must carry (the names the table uses).
SCHEMA_URLS: Final[Mapping[str, str]] = {
    "model": _SCHEMA_BASE + "model.schema.json",
    "managedOnlineEndpoint": _SCHEMA_BASE + "managedOnlineEndpoint.schema.json",
    "managedOnlineDeployment": _SCHEMA_BASE + "managedOnlineDeployment.schema.json",
    "batchEndpoint": _SCHEMA_BASE + "batchEndpoint.schema.json",
    "modelBatchDeployment": _SCHEMA_BASE + "modelBatchDeployment.schema.json",
    "monitorSchedule": _SCHEMA_BASE + "monitorSchedule.schema.json",
    "schedule": _SCHEMA_BASE + "schedule.schema.json",
    "pipelineJob": _SCHEMA_BASE + "pipelineJob.schema.json",
    "amlCompute": _SCHEMA_BASE + "amlCompute.schema.json",
}
KINDS: Final[tuple[str, ...]] = tuple(SCHEMA_URLS)

# The marshmallow 4 deprecations azure-ai-ml 1.35 triggers (import and load), by message start.
_MARSHMALLOW_MESSAGES: Final[tuple[str, ...]] = (
    "The `ordered` `class Meta` option is deprecated",
    "`Number` field should not be instantiated",
    "The 'default' argument to fields is deprecated",
    "Passing field metadata as keyword arguments is deprecated",
    "The `context` parameter is deprecated",
)

_BOILERPLATE = re.compile(r"\s*(Visit this link|The easiest way to author)", re.MULTILINE)


class AzureMLLoadError(Exception):
    """A rendered Azure ML file that ``az ml ... create -f`` would refuse (or silently alter)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextlib.contextmanager
def quiet_marshmallow() -> Iterator[None]:
    """Ignore exactly azure-ai-ml's marshmallow deprecations; every other warning is untouched."""
    with warnings.catch_warnings():
        from marshmallow.warnings import Marshmallow4Warning

        for message in _MARSHMALLOW_MESSAGES:
            warnings.filterwarnings("ignore", message=re.escape(message), category=Marshmallow4Warning)
        yield


# ------------------------------------------------------------------------------------------
# Strict YAML parse (duplicate keys)
# ------------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated in one mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            mark = key_node.start_mark
            raise AzureMLLoadError(f"duplicate key {key!r} at line {mark.line + 1}, column {mark.column + 1}")
        seen.add(key)
    return dict(loader.construct_pairs(node, deep=True))


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_strict(text: str) -> dict[str, Any]:
    """Parse one YAML mapping, refusing duplicate keys; raise AzureMLLoadError otherwise."""
    try:
        doc = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise AzureMLLoadError(f"not YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise AzureMLLoadError(f"expected a mapping at the top level, got {type(doc).__name__}")
    return doc


# ------------------------------------------------------------------------------------------
# Loaders
# ------------------------------------------------------------------------------------------


def _loader(kind: str) -> tuple[Any, type, type]:
    """(load function, schema class, expected entity class) for ``kind``; imports azure-ai-ml."""
    from azure.ai.ml import (
        load_batch_endpoint,
        load_compute,
        load_job,
        load_model,
        load_online_deployment,
        load_online_endpoint,
    )
    from azure.ai.ml._schema._deployment.batch.model_batch_deployment import (
        ModelBatchDeploymentSchema,
    )
    from azure.ai.ml._schema._deployment.online.online_deployment import (
        ManagedOnlineDeploymentSchema,
    )
    from azure.ai.ml._schema._endpoint.batch.batch_endpoint import BatchEndpointSchema
    from azure.ai.ml._schema._endpoint.online.online_endpoint import (
        ManagedOnlineEndpointSchema,
    )
    from azure.ai.ml._schema.assets.model import ModelSchema
    from azure.ai.ml._schema.compute.aml_compute import AmlComputeSchema
    from azure.ai.ml._schema.monitoring.schedule import MonitorScheduleSchema
    from azure.ai.ml._schema.pipeline.pipeline_job import PipelineJobSchema
    from azure.ai.ml._schema.schedule.schedule import JobScheduleSchema
    from azure.ai.ml.entities import (
        AmlCompute,
        BatchEndpoint,
        JobSchedule,
        ManagedOnlineDeployment,
        ManagedOnlineEndpoint,
        Model,
        ModelBatchDeployment,
        MonitorSchedule,
        PipelineJob,
    )

    # load_schedule and load_model_batch_deployment are not re-exported by azure.ai.ml 1.35;
    # ``az ml schedule create`` and ``az ml batch-deployment create`` (type: model) use them.
    from azure.ai.ml.entities._load_functions import (
        load_model_batch_deployment,
        load_schedule,
    )

    table: dict[str, tuple[Any, type, type]] = {
        "model": (load_model, ModelSchema, Model),
        "managedOnlineEndpoint": (load_online_endpoint, ManagedOnlineEndpointSchema, ManagedOnlineEndpoint),
        "managedOnlineDeployment": (
            load_online_deployment,
            ManagedOnlineDeploymentSchema,
            ManagedOnlineDeployment,
        ),
        "amlCompute": (load_compute, AmlComputeSchema, AmlCompute),
        "batchEndpoint": (load_batch_endpoint, BatchEndpointSchema, BatchEndpoint),
        "modelBatchDeployment": (
            load_model_batch_deployment,
            ModelBatchDeploymentSchema,
            ModelBatchDeployment,
        ),
        "monitorSchedule": (load_schedule, MonitorScheduleSchema, MonitorSchedule),
        "schedule": (load_schedule, JobScheduleSchema, JobSchedule),
        "pipelineJob": (load_job, PipelineJobSchema, PipelineJob),
    }
    return table[kind]


def _read_only_keys(schema: type, doc: Mapping[str, Any], path: str = "") -> list[str]:
    """Keys of ``doc`` that the schema declares dump_only (the loader drops them without a word).

    Follows nested schemas, including dictionaries of nested schemas (data_collector.collections);
    union fields are not followed (none of the rendered kinds nests a read-only key under one).
    """
    from marshmallow import Schema, fields

    found: list[str] = []
    declared: dict[str, fields.Field] = {
        (field.data_key or name): field
        for name, field in schema._declared_fields.items()  # type: ignore[attr-defined]
    }
    for key, value in doc.items():
        field = declared.get(key)
        if field is None or (key == "$schema" and not path):
            continue
        if field.dump_only:
            found.append(path + key)
            continue
        nested: Any = None
        values: list[Any] = []
        if isinstance(field, fields.Nested) and isinstance(value, Mapping):
            nested, values = field.nested, [value]
        elif (
            isinstance(field, fields.Dict)
            and isinstance(field.value_field, fields.Nested)
            and isinstance(value, Mapping)
        ):
            nested, values = field.value_field.nested, [v for v in value.values() if isinstance(v, Mapping)]
        if isinstance(nested, Schema):
            nested = type(nested)
        if isinstance(nested, type):
            for item in values:
                found.extend(_read_only_keys(nested, item, f"{path}{key}."))
    return found


def _clean(exc: BaseException) -> str:
    """The loader's message without the trailing links to docs and VS Code."""
    text = str(exc).strip()
    match = _BOILERPLATE.search(text)
    return (text[: match.start()] if match else text).strip()


def load_azureml(kind: str, text: str, *, origin: Path | None = None) -> object:
    """Load ``text`` as an Azure ML CLI v2 file of ``kind`` and return the SDK entity.

    ``origin`` is where the file would live: relative references inside it (a schedule's
    ``create_job: ./retraining-pipeline.yaml``) resolve next to it. Without it they resolve against
    the working directory, like a stream given to the CLI.

    Raises AzureMLLoadError for text the CLI would refuse: not one YAML mapping, duplicate keys, a
    missing or wrong ``$schema``, read-only keys, unknown keys, wrong types, values outside an
    enumeration, a document that loads as another entity (a Kubernetes deployment, a job schedule
    given as ``monitorSchedule``). Raises ValueError for an unknown ``kind``.
    """
    if kind not in SCHEMA_URLS:
        raise ValueError(f"unknown Azure ML kind {kind!r}; known: {', '.join(KINDS)}")
    doc = parse_strict(text)
    declared_schema = doc.get("$schema")
    if declared_schema != SCHEMA_URLS[kind]:
        raise AzureMLLoadError(f"$schema must be {SCHEMA_URLS[kind]}, got {declared_schema!r}")

    with quiet_marshmallow():
        from azure.ai.ml.exceptions import MlException
        from marshmallow import ValidationError

        load, schema, entity = _loader(kind)
        read_only = _read_only_keys(schema, doc)
        if read_only:
            raise AzureMLLoadError("read-only keys, which the loader would drop silently: " + ", ".join(read_only))
        origin_arg = None if origin is None else str(origin)
        try:
            loaded = load(io.StringIO(text), relative_origin=origin_arg)
        except (ValidationError, MlException) as exc:
            raise AzureMLLoadError(_clean(exc)) from exc
        except NotImplementedError as exc:
            # MonitorSchedule's error path calls an unimplemented method; the real error is the
            # ValidationError it was handling.
            cause = exc.__context__
            if isinstance(cause, ValidationError):
                raise AzureMLLoadError(_clean(cause)) from exc
            raise
    if not isinstance(loaded, entity):
        raise AzureMLLoadError(f"loaded as {type(loaded).__name__}, expected {entity.__name__}")
    return loaded


# ------------------------------------------------------------------------------------------
# Project checks: what the loaders accept but Azure (or the project) does not
# ------------------------------------------------------------------------------------------

# Endpoint and deployment names: a letter first, 3-32 letters, digits and single dashes
# (how-to-manage-quotas.md). Lower case only: the SDK lower-cases traffic keys before sending
# them (``_strip_zeroes_from_traffic``), so a capitalised deployment name would not match its own
# traffic entry.
_RESOURCE_NAME = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){2,31}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYVAULT_INJECTION = re.compile(r"\$\{\{keyvault:(?P<uri>[^}]*)\}\}")
_VERSIONED_SECRET = re.compile(r"^https://[a-z0-9-]{3,24}\.vault\.azure\.net/secrets/[A-Za-z0-9-]{1,127}/[0-9a-f]{32}$")
_MODEL_REF = re.compile(r"^(azureml:[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+|@latest)|azureml://registries/.+)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*,/?#LW-]+$")

MAX_REQUEST_TIMEOUT_MS: Final = 180_000  # managed online endpoints (how-to-manage-quotas.md)
MAX_MIRROR_PERCENT: Final = 50  # how-to-safely-rollout-online-endpoints.md


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_resource_name(what: str, name: object) -> list[str]:
    """Endpoint or deployment naming rules that the loaders do not enforce (or only partly)."""
    if not isinstance(name, str) or not _RESOURCE_NAME.match(name):
        return [f"{what} {name!r}: 3-32 lower-case letters, digits and single dashes, starting with a letter"]
    return []


def check_endpoint_traffic(endpoint: Mapping[str, Any], deployment_names: Iterable[str]) -> list[str]:
    """Live traffic sums to exactly 100; mirroring obeys Azure's limits; names match deployments.

    The loader only checks that live traffic is an integer map summing to at most 100 (and coerces
    ``"90"`` and ``90.5`` to 90). Azure also requires: at most one mirror deployment, mirror
    percentage 0-50 (0: off), a deployment takes live or mirror traffic but not both, every key names a
    deployment of the endpoint. A live endpoint always routes all of its traffic: the sum is 100.
    """
    names = set(deployment_names)
    problems = check_resource_name("endpoint name", endpoint.get("name"))
    traffic = endpoint.get("traffic")
    if not isinstance(traffic, Mapping) or not traffic:
        problems.append("traffic: missing; a live endpoint must route 100% of requests to its deployments")
        traffic = {}
    for deployment, percent in traffic.items():
        if deployment not in names:
            problems.append(f"traffic: {deployment!r} is not a deployment of this endpoint ({sorted(names)})")
        if not _is_int(percent) or not 0 <= percent <= 100:
            problems.append(f"traffic.{deployment}: {percent!r} is not an integer percentage 0-100")
    live = [p for p in traffic.values() if _is_int(p)]
    if traffic and sum(live) != 100:
        problems.append(f"traffic: percentages sum to {sum(live)}, not 100")
    mirror = endpoint.get("mirror_traffic") or {}
    if not isinstance(mirror, Mapping):
        return [*problems, f"mirror_traffic: expected a mapping, got {mirror!r}"]
    mirrored = sorted(k for k, v in mirror.items() if v != 0)  # azure-ai-ml drops zeros before sending
    if len(mirrored) > 1:
        problems.append(f"mirror_traffic: Azure mirrors to one deployment only, got {mirrored}")
    for deployment, percent in mirror.items():
        if deployment not in names:
            problems.append(f"mirror_traffic: {deployment!r} is not a deployment of this endpoint")
        # 0 turns mirroring off (azureml-examples cli/deploy-safe-rollout-online-endpoints.sh, reset_mirror_traffic)
        if not _is_int(percent) or not 0 <= percent <= MAX_MIRROR_PERCENT:
            problems.append(
                f"mirror_traffic.{deployment}: {percent!r} is not an integer percentage 0-{MAX_MIRROR_PERCENT}"
            )
        if percent != 0 and _is_int(traffic.get(deployment)) and traffic[deployment] > 0:
            problems.append(
                f"mirror_traffic.{deployment}: the deployment also takes {traffic[deployment]}% live "
                "traffic; Azure allows live or mirror traffic, not both"
            )
    return problems


def _check_env_vars(where: str, env: object) -> list[str]:
    """Names are identifiers, values are strings, Key Vault injections name a secret version."""
    if env is None:
        return []
    if not isinstance(env, Mapping):
        return [f"{where}: expected a mapping, got {type(env).__name__}"]
    problems: list[str] = []
    for name, value in env.items():
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            problems.append(f"{where}: {name!r} is not a valid environment variable name")
        if not isinstance(value, str):
            problems.append(
                f"{where}.{name}: {value!r} is a {type(value).__name__}; quote it, the service takes strings"
            )
            continue
        for match in _KEYVAULT_INJECTION.finditer(value):
            if not _VERSIONED_SECRET.match(match.group("uri")):
                problems.append(
                    f"{where}.{name}: secret injection needs "
                    "${{keyvault:https://<vault>.vault.azure.net/secrets/<name>/<32-hex version>}}, "
                    f"got {match.group(0)!r}"
                )
    return problems


def _check_count(where: str, value: object, low: int, high: int | None = None) -> list[str]:
    if not _is_int(value) or value < low or (high is not None and value > high):
        bound = f"{low}-{high}" if high is not None else f">= {low}"
        return [f"{where}: {value!r} is not an integer {bound}"]
    return []


def _check_probe(where: str, probe: object, *, liveness: bool) -> list[str]:
    if probe is None:
        return []
    if not isinstance(probe, Mapping):
        return [f"{where}: expected a mapping"]
    problems: list[str] = []
    for key in ("initial_delay", "period", "timeout", "success_threshold", "failure_threshold"):
        if key in probe:
            problems.extend(_check_count(f"{where}.{key}", probe[key], 1))
    if liveness and probe.get("success_threshold", 1) != 1:
        problems.append(f"{where}.success_threshold: fixed at 1 for liveness probes")
    return problems


def _needs_scoring_code(doc: Mapping[str, Any], model_type: str | None) -> bool:
    """A non-MLflow model served by an environment without its own server needs a scoring script."""
    environment = doc.get("environment")
    custom_container = isinstance(environment, Mapping) and "inference_config" in environment
    return model_type not in (None, "mlflow_model") and not custom_container


def check_online_deployment(doc: Mapping[str, Any], *, model_type: str | None = None) -> list[str]:
    """Managed online deployment values the loader accepts but Azure or the project refuses.

    ``model_type`` is the ``type`` of the model.yaml the deployment references (custom_model,
    mlflow_model, triton_model); when given, a custom model without a custom container must
    carry ``code_configuration`` (Azure fails the deployment otherwise, the loader does not care).
    """
    problems = check_resource_name("deployment name", doc.get("name"))
    problems += check_resource_name("endpoint_name", doc.get("endpoint_name"))
    model = doc.get("model")
    if not (isinstance(model, Mapping) or (isinstance(model, str) and _MODEL_REF.match(model))):
        problems.append(f"model: {model!r}; every deployment needs azureml:<name>:<version> or a registry model")
    if doc.get("environment") is None:
        problems.append("environment: missing; Azure requires one for a managed online deployment")
    if _needs_scoring_code(doc, model_type) and "code_configuration" not in doc:
        problems.append(
            f"code_configuration: missing; a {model_type} served by a curated environment needs a scoring script"
        )
    problems += _check_count("instance_count", doc.get("instance_count"), 1)
    instance_type = doc.get("instance_type")
    try:
        catalog.sku(str(instance_type))
    except catalog.CatalogError as exc:
        hint = f" (did you mean {', '.join(exc.alternatives[:3])}?)" if exc.alternatives else ""
        problems.append(f"instance_type: {exc.message}{hint}")
    scale = doc.get("scale_settings")
    if isinstance(scale, Mapping) and scale.get("type") != "default":
        problems.append(
            "scale_settings: managed online deployments only take type default; autoscale via Azure Monitor"
        )
    request = doc.get("request_settings") or {}
    if isinstance(request, Mapping):
        if "request_timeout_ms" in request:
            problems += _check_count(
                "request_settings.request_timeout_ms",
                request["request_timeout_ms"],
                1,
                MAX_REQUEST_TIMEOUT_MS,
            )
        if "max_concurrent_requests_per_instance" in request:
            problems += _check_count(
                "request_settings.max_concurrent_requests_per_instance",
                request["max_concurrent_requests_per_instance"],
                1,
            )
    problems += _check_probe("liveness_probe", doc.get("liveness_probe"), liveness=True)
    problems += _check_probe("readiness_probe", doc.get("readiness_probe"), liveness=False)
    collector = doc.get("data_collector")
    if isinstance(collector, Mapping):
        rate = collector.get("sampling_rate", 1.0)
        if not _is_number(rate) or not 0 < rate <= 1:
            problems.append(f"data_collector.sampling_rate: {rate!r} collects nothing; use (0, 1]")
        if not collector.get("collections"):
            problems.append("data_collector.collections: empty; name model_inputs/model_outputs (or request/response)")
    problems += _check_env_vars("environment_variables", doc.get("environment_variables"))
    return problems


def check_batch_endpoint(doc: Mapping[str, Any]) -> list[str]:
    """Batch endpoints authenticate with Microsoft Entra tokens only; the loader also takes key."""
    problems = check_resource_name("endpoint name", doc.get("name"))
    auth = doc.get("auth_mode", "aad_token")
    if auth != "aad_token":
        problems.append(f"auth_mode: batch endpoints only support aad_token, got {auth!r}")
    defaults = doc.get("defaults")
    if isinstance(defaults, Mapping) and "deployment_name" in defaults:
        problems += check_resource_name("defaults.deployment_name", defaults["deployment_name"])
    return problems


def check_batch_deployment(doc: Mapping[str, Any], *, model_type: str | None = None) -> list[str]:
    """Model batch deployment values the loader accepts but Azure or the project refuses."""
    problems = check_resource_name("deployment name", doc.get("name"))
    problems += check_resource_name("endpoint_name", doc.get("endpoint_name"))
    if doc.get("type") != "model":
        problems.append(f"type: {doc.get('type')!r}; a model batch deployment says type: model")
    model = doc.get("model")
    if not (isinstance(model, Mapping) or (isinstance(model, str) and _MODEL_REF.match(model))):
        problems.append(f"model: {model!r}; a batch deployment needs azureml:<name>:<version> or a registry model")
    compute = doc.get("compute")
    if not isinstance(compute, str) or not compute.startswith("azureml:"):
        problems.append(f"compute: {compute!r}; reference the cluster as azureml:<compute-name>")
    if model_type not in (None, "mlflow_model"):
        if doc.get("environment") is None:
            problems.append(f"environment: missing; a {model_type} needs one (only MLflow models do without)")
        if "code_configuration" not in doc:
            problems.append(f"code_configuration: missing; a {model_type} needs a scoring script")
    resources = doc.get("resources") or {}
    if isinstance(resources, Mapping) and "instance_count" in resources:
        problems += _check_count("resources.instance_count", resources["instance_count"], 1)
    settings = doc.get("settings") or {}
    if isinstance(settings, Mapping):
        for key in ("mini_batch_size", "max_concurrency_per_instance", "instance_count"):
            if key in settings:
                problems += _check_count(f"settings.{key}", settings[key], 1)
        if "error_threshold" in settings:
            problems += _check_count("settings.error_threshold", settings["error_threshold"], -1)
        level = settings.get("logging_level", "info")
        if level not in ("warning", "info", "debug"):
            problems.append(f"settings.logging_level: {level!r} is not warning, info or debug")
        retry = settings.get("retry_settings") or {}
        if isinstance(retry, Mapping):
            if "max_retries" in retry:
                problems += _check_count("settings.retry_settings.max_retries", retry["max_retries"], 0)
            if "timeout" in retry:
                problems += _check_count("settings.retry_settings.timeout", retry["timeout"], 1)
        problems += _check_env_vars("settings.environment_variables", settings.get("environment_variables"))
    return problems


def _check_trigger(trigger: object) -> list[str]:
    """Cron expressions have five fields; time zones are Azure's names (the loader takes any string)."""
    if not isinstance(trigger, Mapping):
        return [f"trigger: expected a mapping, got {trigger!r}"]
    problems: list[str] = []
    if trigger.get("type") == "cron":
        expression = trigger.get("expression")
        parts = expression.split() if isinstance(expression, str) else []
        if len(parts) != 5 or not all(_CRON_FIELD.match(part) for part in parts):
            problems.append(f"trigger.expression: {expression!r} is not a five-field cron expression")
    zone = trigger.get("time_zone")
    if zone is not None:
        from azure.ai.ml.constants import TimeZone

        if zone not in {z.value for z in TimeZone}:
            problems.append(f"trigger.time_zone: {zone!r} is not an Azure time zone name (e.g. UTC)")
    return problems


def check_schedule(doc: Mapping[str, Any]) -> list[str]:
    """A job schedule: a valid trigger and a job to create."""
    problems = _check_trigger(doc.get("trigger"))
    if doc.get("create_job") is None:
        problems.append("create_job: missing")
    return problems


def check_monitor_schedule(doc: Mapping[str, Any]) -> list[str]:
    """A monitor schedule: trigger, Spark size, target, drift thresholds and alert recipients."""
    problems = _check_trigger(doc.get("trigger"))
    monitor = doc.get("create_monitor")
    if not isinstance(monitor, Mapping):
        return [*problems, "create_monitor: missing"]
    compute = monitor.get("compute") or {}
    instance_type = compute.get("instance_type") if isinstance(compute, Mapping) else None
    if instance_type not in catalog.MONITOR_SPARK_INSTANCE_TYPES:
        problems.append(
            f"create_monitor.compute.instance_type: {instance_type!r} is not one of "
            + ", ".join(catalog.MONITOR_SPARK_INSTANCE_TYPES)
        )
    target = monitor.get("monitoring_target") or {}
    signals = monitor.get("monitoring_signals") or {}
    drift = {name: s for name, s in signals.items() if isinstance(s, Mapping) and s.get("type") == "data_drift"}
    if isinstance(target, Mapping):
        deployment_id = target.get("endpoint_deployment_id")
        if deployment_id is not None and not re.match(r"^azureml:[a-z][a-z0-9-]+:[a-z][a-z0-9-]+$", str(deployment_id)):
            problems.append(
                f"create_monitor.monitoring_target.endpoint_deployment_id: {deployment_id!r} is not "
                "azureml:<endpoint>:<deployment>"
            )
        task = str(target.get("ml_task", "")).lower()
        if drift and task not in catalog.DRIFT_ML_TASKS:
            problems.append(
                f"create_monitor.monitoring_target.ml_task: data drift supports classification and "
                f"regression, got {target.get('ml_task')!r}"
            )
    for name, signal in drift.items():
        thresholds = signal.get("metric_thresholds") or {}
        for side in ("numerical", "categorical"):
            for metric, value in (thresholds.get(side) or {}).items():
                if not _is_number(value) or value < 0:
                    problems.append(
                        f"create_monitor.monitoring_signals.{name}.metric_thresholds.{side}.{metric}: "
                        f"{value!r} is not a threshold >= 0"
                    )
    problems += [f"create_monitor.monitoring_signals: {p}" for p in level_order_problems(doc)]
    alert = monitor.get("alert_notification")
    if isinstance(alert, Mapping):
        emails = alert.get("emails") or []
        if not emails:
            problems.append("create_monitor.alert_notification.emails: empty")
        problems += [
            f"create_monitor.alert_notification.emails: {email!r} is not an e-mail address"
            for email in emails
            if not (isinstance(email, str) and _EMAIL.match(email))
        ]
    return problems


# ------------------------------------------------------------------------------------------
# ARM template for Azure Monitor autoscale
# ------------------------------------------------------------------------------------------

ARM_TEMPLATE_SCHEMA: Final = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
AUTOSCALE_TYPE: Final = "Microsoft.Insights/autoscalesettings"
AUTOSCALE_API_VERSION: Final = "2022-10-01"

# From azure-rest-api-specs specification/monitor/resource-manager/Microsoft.Insights/stable/
# 2022-10-01/autoscale_API.json: the properties each object may have and must have.
_ARM_OBJECTS: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = {
    "resource": (
        frozenset({"type", "apiVersion", "name", "location", "tags", "properties", "dependsOn", "condition"}),
        frozenset({"type", "apiVersion", "name", "location", "properties"}),
    ),
    "setting": (
        frozenset(
            {
                "profiles",
                "notifications",
                "enabled",
                "predictiveAutoscalePolicy",
                "name",
                "targetResourceUri",
                "targetResourceLocation",
            }
        ),
        frozenset({"profiles", "targetResourceUri"}),
    ),
    "profile": (
        frozenset({"name", "capacity", "rules", "fixedDate", "recurrence"}),
        frozenset({"name", "capacity", "rules"}),
    ),
    "capacity": (frozenset({"minimum", "maximum", "default"}), frozenset({"minimum", "maximum", "default"})),
    "rule": (frozenset({"metricTrigger", "scaleAction"}), frozenset({"metricTrigger", "scaleAction"})),
    "metricTrigger": (
        frozenset(
            {
                "metricName",
                "metricNamespace",
                "metricResourceUri",
                "metricResourceLocation",
                "timeGrain",
                "statistic",
                "timeWindow",
                "timeAggregation",
                "operator",
                "threshold",
                "dimensions",
                "dividePerInstance",
            }
        ),
        frozenset(
            {
                "metricName",
                "metricResourceUri",
                "timeGrain",
                "statistic",
                "timeWindow",
                "timeAggregation",
                "operator",
                "threshold",
            }
        ),
    ),
    "scaleAction": (
        frozenset({"direction", "type", "value", "cooldown"}),
        frozenset({"direction", "type", "cooldown"}),
    ),
}
_ARM_ENUMS: Final[Mapping[str, frozenset[str]]] = {
    "statistic": frozenset({"Average", "Min", "Max", "Sum", "Count"}),
    "timeAggregation": frozenset({"Average", "Minimum", "Maximum", "Total", "Count", "Last"}),
    "operator": frozenset({"Equals", "NotEquals", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual"}),
    "direction": frozenset({"None", "Increase", "Decrease"}),
    "type": frozenset({"ChangeCount", "PercentChangeCount", "ExactCount", "ServiceAllowedNextValue"}),
}
# Metrics of Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments (Azure
# Monitor supported-metrics page) and of the endpoint itself (RequestLatency, RequestsPerMinute...).
DEPLOYMENT_METRICS: Final[frozenset[str]] = frozenset(
    {
        "CpuUtilizationPercentage",
        "CpuMemoryUtilizationPercentage",
        "DataCollectionErrorsPerMinute",
        "DataCollectionEventsPerMinute",
        "DeploymentCapacity",
        "DiskUtilization",
        "GpuEnergyJoules",
        "GpuMemoryUtilizationPercentage",
        "GpuUtilizationPercentage",
        "RequestLatency_P50",
        "RequestLatency_P90",
        "RequestLatency_P95",
        "RequestLatency_P99",
        "RequestsPerMinute",
    }
)
ENDPOINT_METRICS: Final[frozenset[str]] = frozenset(
    {
        "ConnectionsActive",
        "DataCollectionErrorsPerMinute",
        "DataCollectionEventsPerMinute",
        "NetworkBytes",
        "NewConnectionsPerSecond",
        "RequestLatency",
        "RequestLatency_P50",
        "RequestLatency_P90",
        "RequestLatency_P95",
        "RequestLatency_P99",
        "RequestsPerMinute",
    }
)
_ISO_DURATION = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_ARM_EXPRESSION = re.compile(r"^\[.*\]$", re.DOTALL)
_DEPLOYMENT_ID = re.compile(
    r"/providers/Microsoft\.MachineLearningServices/workspaces/[^/]+/onlineEndpoints/[^/]+/deployments/[^/]+$",
    re.IGNORECASE,
)


def _check_object(where: str, kind: str, value: object) -> list[str]:
    allowed, required = _ARM_OBJECTS[kind]
    if not isinstance(value, Mapping):
        return [f"{where}: expected an object"]
    problems = [f"{where}.{key}: unknown property" for key in value if key not in allowed]
    problems += [f"{where}.{key}: required" for key in sorted(required - set(value))]
    return problems


def _is_expression(value: object) -> bool:
    return isinstance(value, str) and bool(_ARM_EXPRESSION.match(value))


def _check_resource_uri(where: str, value: object) -> list[str]:
    """A literal deployment ARM id, or an ARM expression that builds one (resourceId(...))."""
    if _is_expression(value):
        return []
    if isinstance(value, str) and _DEPLOYMENT_ID.search(value):
        return []
    return [f"{where}: {value!r} is neither an online deployment resource id nor an ARM expression"]


def check_autoscale_arm(doc: Mapping[str, Any]) -> list[str]:
    """Structure of an ARM template holding one Microsoft.Insights/autoscalesettings resource.

    No ARM validator runs offline, so this mirrors the 2022-10-01 REST schema for the objects the
    target renders: unknown and missing properties, enumerations, capacity strings that are
    integers with minimum <= default <= maximum, ISO 8601 durations (timeGrain 1 min-12 h,
    timeWindow 5 min-12 h, cooldown 1 min-1 week in Azure's terms; only the format is checked),
    at most 20 profiles and 10 rules each, a deployment as the target, and metric names that Azure
    Monitor publishes for online deployments and endpoints.
    """
    problems: list[str] = []
    if doc.get("$schema") != ARM_TEMPLATE_SCHEMA:
        problems.append(f"$schema: expected {ARM_TEMPLATE_SCHEMA}")
    if doc.get("contentVersion") != "1.0.0.0":
        problems.append("contentVersion: expected 1.0.0.0")
    unknown_top = set(doc) - {
        "$schema",
        "contentVersion",
        "parameters",
        "variables",
        "resources",
        "outputs",
        "metadata",
    }
    problems += [f"{key}: not a template property" for key in sorted(unknown_top)]
    resources = doc.get("resources")
    if not isinstance(resources, list) or not resources:
        return [*problems, "resources: expected a non-empty list"]
    for index, resource in enumerate(resources):
        where = f"resources[{index}]"
        problems += _check_object(where, "resource", resource)
        if not isinstance(resource, Mapping):
            continue
        if resource.get("type") != AUTOSCALE_TYPE:
            problems.append(f"{where}.type: expected {AUTOSCALE_TYPE}, got {resource.get('type')!r}")
        if resource.get("apiVersion") != AUTOSCALE_API_VERSION:
            problems.append(f"{where}.apiVersion: expected {AUTOSCALE_API_VERSION}, got {resource.get('apiVersion')!r}")
        setting = resource.get("properties")
        problems += _check_object(f"{where}.properties", "setting", setting)
        if isinstance(setting, Mapping):
            problems += _check_setting(f"{where}.properties", setting)
    return problems


def _check_setting(where: str, setting: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if "enabled" in setting and not isinstance(setting["enabled"], bool):
        problems.append(f"{where}.enabled: expected a boolean")
    if "targetResourceUri" in setting:
        problems += _check_resource_uri(f"{where}.targetResourceUri", setting["targetResourceUri"])
    profiles = setting.get("profiles")
    if not isinstance(profiles, list) or not 1 <= len(profiles) <= 20:
        return [*problems, f"{where}.profiles: expected 1-20 profiles"]
    for index, profile in enumerate(profiles):
        at = f"{where}.profiles[{index}]"
        problems += _check_object(at, "profile", profile)
        if not isinstance(profile, Mapping):
            continue
        problems += _check_capacity(f"{at}.capacity", profile.get("capacity"))
        rules = profile.get("rules")
        if not isinstance(rules, list) or len(rules) > 10:
            problems.append(f"{at}.rules: expected a list of at most 10 rules")
            continue
        for number, rule in enumerate(rules):
            problems += _check_rule(f"{at}.rules[{number}]", rule)
    return problems


def _check_capacity(where: str, capacity: object) -> list[str]:
    problems = _check_object(where, "capacity", capacity)
    if problems or not isinstance(capacity, Mapping):
        return problems
    values: dict[str, int] = {}
    for key in ("minimum", "maximum", "default"):
        raw = capacity[key]
        if not isinstance(raw, str) or not raw.isdigit():
            problems.append(f"{where}.{key}: {raw!r} must be a string holding a whole number")
        else:
            values[key] = int(raw)
    if len(values) == 3 and not values["minimum"] <= values["default"] <= values["maximum"]:
        problems.append(f"{where}: expected minimum <= default <= maximum, got {values}")
    if values.get("minimum") == 0:
        problems.append(f"{where}.minimum: a managed online deployment cannot scale to 0 instances")
    return problems


def _check_rule(where: str, rule: object) -> list[str]:
    problems = _check_object(where, "rule", rule)
    if not isinstance(rule, Mapping):
        return problems
    trigger = rule.get("metricTrigger")
    problems += _check_object(f"{where}.metricTrigger", "metricTrigger", trigger)
    if isinstance(trigger, Mapping):
        at = f"{where}.metricTrigger"
        for key in ("statistic", "timeAggregation", "operator"):
            if key in trigger and trigger[key] not in _ARM_ENUMS[key]:
                problems.append(f"{at}.{key}: {trigger[key]!r} not in {sorted(_ARM_ENUMS[key])}")
        for key in ("timeGrain", "timeWindow"):
            if key in trigger and not (isinstance(trigger[key], str) and _ISO_DURATION.match(trigger[key])):
                problems.append(f"{at}.{key}: {trigger[key]!r} is not an ISO 8601 duration")
        if "threshold" in trigger and not _is_number(trigger["threshold"]):
            problems.append(f"{at}.threshold: expected a number")
        metric = trigger.get("metricName")
        if metric is not None and metric not in DEPLOYMENT_METRICS | ENDPOINT_METRICS:
            problems.append(f"{at}.metricName: {metric!r} is not an Azure ML online deployment or endpoint metric")
        uri = trigger.get("metricResourceUri")
        if uri is not None and not (_is_expression(uri) or (isinstance(uri, str) and "/onlineEndpoints/" in uri)):
            problems.append(f"{at}.metricResourceUri: {uri!r} is not an online endpoint or deployment")
    action = rule.get("scaleAction")
    problems += _check_object(f"{where}.scaleAction", "scaleAction", action)
    if isinstance(action, Mapping):
        at = f"{where}.scaleAction"
        for key in ("direction", "type"):
            if key in action and action[key] not in _ARM_ENUMS[key]:
                problems.append(f"{at}.{key}: {action[key]!r} not in {sorted(_ARM_ENUMS[key])}")
        if "value" in action and not (
            isinstance(action["value"], str) and action["value"].isdigit() and int(action["value"]) >= 1
        ):
            problems.append(f"{at}.value: {action['value']!r} must be a string holding a whole number >= 1")
        if "cooldown" in action and not (
            isinstance(action["cooldown"], str) and _ISO_DURATION.match(action["cooldown"])
        ):
            problems.append(f"{at}.cooldown: {action['cooldown']!r} is not an ISO 8601 duration")
    return problems


# ------------------------------------------------------------------------------------------
# Rendered files (golden suite, root spec tests): loader + project checks per file
# ------------------------------------------------------------------------------------------

# The model type the target registers (model.yaml says custom_model): the scoring-code rule applies.
RENDERED_MODEL_TYPE: Final = "custom_model"
_LOCAL_JOB = re.compile(r"^\./[A-Za-z0-9_.-]+\.ya?ml$")
_LOCAL_CONDA = re.compile(r"^\./[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\.ya?ml$")


def _conda_file(doc: Mapping[str, Any]) -> str | None:
    environment = doc.get("environment")
    if isinstance(environment, Mapping) and isinstance(environment.get("conda_file"), str):
        return str(environment["conda_file"])
    return None


def check_conda(doc: Mapping[str, Any]) -> list[str]:
    """A conda environment file Azure ML builds an environment from (conda's environment.yml format:
    name, channels, dependencies with ``python=X.Y``, ``pip`` and a ``pip:`` list of PEP 508
    requirements); the Azure ML inference server must be among them to serve a scoring script."""
    from packaging.requirements import InvalidRequirement, Requirement

    problems: list[str] = []
    if not isinstance(doc.get("name"), str):
        problems.append("name: missing")
    dependencies = doc.get("dependencies")
    if not isinstance(dependencies, list):
        return [*problems, "dependencies: a list is required"]
    if not any(isinstance(d, str) and re.fullmatch(r"python=3\.[0-9]+", d) for d in dependencies):
        problems.append("dependencies: no python=3.X")
    pip = [d["pip"] for d in dependencies if isinstance(d, Mapping) and "pip" in d]
    if "pip" not in dependencies or len(pip) != 1 or not isinstance(pip[0], list):
        return [*problems, "dependencies: pip and one pip: list are required"]
    names = set()
    for item in pip[0]:
        try:
            names.add(Requirement(str(item)).name)
        except InvalidRequirement as exc:
            problems.append(f"pip: {item!r}: {exc}")
    if "azureml-inference-server-http" not in names:
        problems.append("pip: azureml-inference-server-http is missing: nothing would serve score.py")
    return problems


def rendered_kind(name: str) -> str | None:
    """The Azure ML kind of a rendered file, from its name; None for text and ARM files."""
    if name == "model.yaml":
        return "model"
    if name == "endpoint.yaml":
        return "managedOnlineEndpoint"
    if name.startswith("deployment-") and name.endswith(".yaml"):
        return "managedOnlineDeployment"
    if name == "compute.yaml":
        return "amlCompute"
    if name == "batch-endpoint.yaml":
        return "batchEndpoint"
    if name == "batch-deployment.yaml":
        return "modelBatchDeployment"
    if name == "monitor.yaml":
        return "monitorSchedule"
    if name == "retraining-schedule.yaml":
        return "schedule"
    if name == "retraining-pipeline.yaml":
        return "pipelineJob"
    return None


def _local_build_context(doc: Mapping[str, Any]) -> str | None:
    """The folder of a deployment's ``environment.build.path`` when it is ./<folder>, else None."""
    env = doc.get("environment")
    build = env.get("build") if isinstance(env, Mapping) else None
    path = build.get("path") if isinstance(build, Mapping) else None
    if isinstance(path, str) and re.fullmatch(r"\./[a-z][a-z0-9_-]*", path):
        return path[2:]
    return None


def check_document(kind: str, text: str, *, origin: Path | None = None) -> list[str]:
    """Load ``text`` as ``kind`` with the azure-ai-ml loader, then run the project checks on it."""
    doc = parse_strict(text)
    if kind == "schedule" and origin is None and isinstance(doc.get("create_job"), str):
        # A local job file resolves next to the schedule; without the folder, check the reference's
        # form here and load the schedule with a remote job reference (the job file is checked as
        # a pipelineJob on its own, and together by check_tree).
        job = doc["create_job"]
        if not _LOCAL_JOB.match(job) and not job.startswith("azureml:"):
            return [f"create_job: {job!r} is neither ./<file>.yaml nor azureml:<job>"]
        text = yaml.safe_dump({**doc, "create_job": "azureml:" + Path(job).stem}, sort_keys=False)
    conda_file = _conda_file(doc)
    if conda_file is not None and origin is None:
        # An environment built from an image and a local conda file: the file resolves next to the
        # deployment. Without the folder, check the reference's form and load the deployment next to a
        # placeholder conda file (the rendered one is checked as condaEnvironment on its own, and loaded
        # with the deployment by check_tree).
        if not _LOCAL_CONDA.match(conda_file):
            return [f"environment.conda_file: {conda_file!r} is not ./<folder>/<file>.yaml"]
        with tempfile.TemporaryDirectory() as folder:
            placeholder = Path(folder, conda_file)
            placeholder.parent.mkdir(parents=True, exist_ok=True)
            placeholder.write_text("name: placeholder\ndependencies: [python=3.10]\n", encoding="utf-8")
            return check_document(kind, text, origin=Path(folder, "deployment.yaml"))
    try:
        build = _local_build_context(doc) if origin is None else None
        if build is None:
            load_azureml(kind, text, origin=origin)
        else:
            # The loader checks that a local build context exists: give it one (its Dockerfile is
            # checked with the folder, by check_tree).
            with tempfile.TemporaryDirectory() as folder:
                (Path(folder) / build).mkdir(parents=True)
                (Path(folder) / build / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
                load_azureml(kind, text, origin=Path(folder) / "file.yaml")
    except AzureMLLoadError as exc:
        return [f"loader: {exc.message}"]
    checks = {
        "model": lambda d: [] if d.get("path") and d.get("version") else ["model: path and version are required"],
        "managedOnlineEndpoint": lambda d: check_endpoint_traffic(
            d, [*(d.get("traffic") or {}), *(d.get("mirror_traffic") or {})]
        ),
        "managedOnlineDeployment": lambda d: check_online_deployment(d, model_type=RENDERED_MODEL_TYPE),
        "batchEndpoint": check_batch_endpoint,
        "modelBatchDeployment": lambda d: check_batch_deployment(d, model_type=RENDERED_MODEL_TYPE),
        "monitorSchedule": check_monitor_schedule,
        "schedule": check_schedule,
        "pipelineJob": lambda d: [] if d.get("jobs") else ["jobs: a pipeline needs at least one step"],
        "amlCompute": check_aml_compute,
    }
    return checks[kind](doc)


def check_aml_compute(doc: Mapping[str, Any]) -> list[str]:
    """An AmlCompute cluster (reference-yaml-compute-aml.md): a 2-16 character name starting with a letter
    (how-to-create-attach-compute-cluster.md), a VM size the catalog knows, 0 <= min_instances <= max_instances
    and min_instances 0 (mlopsc's batch cluster scales to zero when idle)."""
    from mlopsc.targets.azureml import catalog

    problems = []
    name = str(doc.get("name", ""))
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{1,15}", name):
        problems.append(f"name: {name!r} is not a compute name (2-16 letters, digits, dashes; a letter first)")
    try:
        catalog.sku(str(doc.get("size", "")))
    except catalog.CatalogError as exc:
        problems.append(f"size: {exc.message}")
    low, high = doc.get("min_instances", 0), doc.get("max_instances", 1)
    if low != 0:
        problems.append(f"min_instances: {low}, the cluster would not scale to zero")
    if not isinstance(high, int) or high < 1:
        problems.append(f"max_instances: {high} must be at least 1")
    return problems


def check_rendered(file: Any) -> list[str]:
    """Validate one rendered Azure ML file (a ``RenderedFile``): [] when it is fine.

    YAML files go through their kind's loader and project checks, ``autoscale.json`` through
    ``check_autoscale_arm``, Python scoring scripts through ``ast.parse``; other text files
    (README.md, apply.sh) have no schema and return [].
    """
    name = file.path.split("/azureml/", 1)[-1]
    if name.endswith("/conda.yaml"):
        return check_conda(parse_strict(file.content))
    kind = rendered_kind(name)
    if kind is not None:
        return check_document(kind, file.content)
    if name == "autoscale.json":
        import json

        return check_autoscale_arm(json.loads(file.content))
    if name.endswith(".py"):
        import ast

        try:
            ast.parse(file.content)
        except SyntaxError as exc:
            return [f"{name}: {exc}"]
        return []
    if name.endswith((".yaml", ".yml", ".json")):
        return [f"{name}: no Azure ML validator knows this file"]
    return []


def check_tree(files: Mapping[str, str]) -> list[str]:
    """Cross-file checks on one rendered azureml folder (name -> text): what one file cannot show.

    Traffic names exactly the rendered deployments; every deployment and the monitor point at the
    endpoint; deployments and the batch deployment use the registered model; code_configuration
    folders and the schedule's job file exist; the schedule loads with its job file beside it.
    """
    problems: list[str] = []
    docs = {name: parse_strict(text) for name, text in files.items() if rendered_kind(name)}
    model = docs.get("model.yaml", {})
    model_ref = f"azureml:{model.get('name')}:{model.get('version')}"
    deployments = {d["name"]: d for n, d in docs.items() if n.startswith("deployment-")}
    for name in deployments:
        if f"deployment-{name}.yaml" not in files:
            problems.append(f"deployment {name} is not in deployment-{name}.yaml")
    endpoint = docs.get("endpoint.yaml")
    if endpoint is not None:
        routed = set(endpoint.get("traffic") or {}) | set(endpoint.get("mirror_traffic") or {})
        live = routed - set(deployments)
        if not set(deployments) <= routed or len(live) > 1:
            problems.append(f"endpoint routes {sorted(routed)}, deployments are {sorted(deployments)}")
        for name in sorted(live):
            # The live deployment is not rendered (a rollout never rewrites it): apply.sh must stop when it
            # is not on the endpoint, before traffic names it.
            guard = f"if ! az ml online-deployment show --name {name} --endpoint-name {endpoint.get('name')} "
            if guard not in files.get("apply.sh", ""):
                problems.append(f"endpoint routes {name}, which is neither rendered nor checked by apply.sh")
        problems += check_endpoint_traffic(endpoint, [*deployments, *sorted(live)])
        for name, doc in deployments.items():
            if doc.get("endpoint_name") != endpoint.get("name"):
                problems.append(f"deployment {name}: endpoint_name {doc.get('endpoint_name')!r}")
    elif deployments:
        problems.append("deployments without endpoint.yaml")
    new = [d for d in deployments.values() if d.get("model") == model_ref]
    if deployments and len(new) != 1:
        problems.append(f"expected one deployment of {model_ref}, got {len(new)}")
    for name in ("batch-deployment.yaml",):
        if name in docs:
            batch = docs[name]
            if batch.get("model") != model_ref:
                problems.append(f"{name}: model {batch.get('model')!r} is not {model_ref}")
            if batch.get("endpoint_name") != docs.get("batch-endpoint.yaml", {}).get("name"):
                problems.append(f"{name}: endpoint_name does not match batch-endpoint.yaml")
    for name, doc in docs.items():
        conda_file = _conda_file(doc)
        if conda_file is not None:
            if conda_file.removeprefix("./") not in files:
                problems.append(f"{name}: environment.conda_file {conda_file} is not rendered")
            else:
                with tempfile.TemporaryDirectory() as folder:
                    rendered = Path(folder, conda_file)
                    rendered.parent.mkdir(parents=True, exist_ok=True)
                    rendered.write_text(files[conda_file.removeprefix("./")], encoding="utf-8")
                    problems += [
                        f"{name}: {p}"
                        for p in check_document(str(rendered_kind(name)), files[name], origin=Path(folder, name))
                    ]
        code = (doc.get("code_configuration") or {}).get("code")
        script = (doc.get("code_configuration") or {}).get("scoring_script")
        if code and f"{code.removeprefix('./')}/{script}" not in files:
            problems.append(f"{name}: code_configuration {code}/{script} is not rendered")
    scoring = ("managedOnlineDeployment", "modelBatchDeployment")
    problems += scoring_environment_problems(files, {n: d for n, d in docs.items() if rendered_kind(n) in scoring})
    monitor = docs.get("monitor.yaml")
    if monitor is not None and endpoint is not None:
        target = monitor["create_monitor"]["monitoring_target"]["endpoint_deployment_id"]
        _, ep, dep = target.split(":")
        if ep != endpoint.get("name") or dep not in deployments:
            problems.append(f"monitor.yaml targets {target}, not a rendered deployment")
        if dep in deployments and "data_collector" not in deployments[dep]:
            problems.append(f"monitor.yaml: deployment {dep} collects no data to monitor")
    if "retraining-schedule.yaml" in files:
        job = docs["retraining-schedule.yaml"].get("create_job")
        if isinstance(job, str) and job.startswith("./"):
            with tempfile.TemporaryDirectory() as folder:
                for name in ("retraining-schedule.yaml", job.removeprefix("./")):
                    if name in files:
                        (Path(folder) / name).write_text(files[name], encoding="utf-8")
                try:
                    load_azureml(
                        "schedule", files["retraining-schedule.yaml"], origin=Path(folder) / "retraining-schedule.yaml"
                    )
                except (AzureMLLoadError, FileNotFoundError, OSError) as exc:
                    problems.append(f"retraining-schedule.yaml with its job file: {exc}")
    return problems
