"""Vertex AI v1 REST bodies parsed into their API types, plus the checks protobuf cannot make.

``parse_body(kind, body)`` does three things, in this order, and raises ``VertexBodyError`` on the
first problem:

1. ``google.protobuf.json_format.ParseDict`` into the raw protobuf message of the API type
   (``google.cloud.aiplatform_v1.types.<Kind>.pb()()``: the proto-plus classes wrap a protobuf
   message; ``Kind.pb()`` with no argument returns the protobuf *class*, which ParseDict needs).
   Unknown fields, wrong JSON types and unknown enum names fail here.
2. A walk of the body alongside the message descriptor, for what ParseDict lets through:
   snake_case keys (ParseDict accepts ``display_name`` as well as ``displayName``), enum values
   given as numbers (ParseDict accepts ``5`` and even ``999``), ``*_UNSPECIFIED`` enum values,
   fields the API documents as "Output only." (read from the proto-plus class docstrings, which
   carry the proto comments; the ``google.api.field_behavior`` options are not in the Python
   descriptors), and labels that break the label rules.
3. The project's checks per message and per kind: required fields, traffic splits that add up to
   100, replica bounds, sample rates, threshold values, resource-name and URI formats.

Import cost: importing any ``google.cloud.aiplatform_v1.types`` submodule runs the package
``__init__``, which imports every service client, so ``...types.model`` costs the same as
``...types`` (about 1.5-2.5 s; measured with ``python -X importtime -c "import
google.cloud.aiplatform_v1.types.model"``). The import happens once, on the first ``parse_body``
call (``functools.cache``), never at module import.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

KINDS: Final[tuple[str, ...]] = (
    "Model",
    "Endpoint",
    "DeployModelRequest",
    "ModelDeploymentMonitoringJob",
    "BatchPredictionJob",
    "Schedule",
)
"""The API types that a rendered Vertex file maps to (one file, one type)."""

_PACKAGE: Final = "google.cloud.aiplatform.v1."

_OUTPUT_ONLY_DOC: Final = re.compile(r"^(?:(?:Optional|Immutable)\.\s+)*Output only\.")
_ATTRIBUTES_HEADER: Final = re.compile(r"^(?P<indent>[ ]*)Attributes:[ ]*$", re.MULTILINE)

_DEPLOYED_MODEL_ID: Final = re.compile(r"^[0-9]{1,10}$")
_PARENT: Final = re.compile(r"^projects/[^/]+/locations/[^/]+$")
_ENDPOINT_NAME: Final = re.compile(r"^projects/[^/]+/locations/[^/]+/endpoints/[^/]+$")
_MODEL_NAME: Final = re.compile(r"^projects/[^/]+/locations/[^/]+/models/[^/@]+(@[^/@]+)?$")
_KMS_KEY: Final = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
_NETWORK: Final = re.compile(r"^projects/[^/]+/global/networks/[^/]+$")
_GCS_URI: Final = re.compile(r"^gs://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](/.*)?$")
_BQ_TABLE: Final = re.compile(r"^bq://[^./]+\.[^./]+\.[^./]+$")
_BQ_DESTINATION: Final = re.compile(r"^bq://[^./]+(\.[^./]+){0,2}$")
_IMAGE_REGISTRY: Final = re.compile(r"^([a-z0-9-]+-docker\.pkg\.dev|([a-z]+\.)?gcr\.io)/")
_PREBUILT_PREDICTION_IMAGE: Final = re.compile(r"^(us|europe|asia)-docker\.pkg\.dev/vertex-ai/prediction/")
_C_IDENTIFIER: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INTEGER_TEXT: Final = re.compile(r"^-?[0-9]+$")
_DURATION: Final = re.compile(r"^(?P<seconds>[0-9]+)(?P<fraction>\.[0-9]{1,9})?s$")
_CRON_TZ: Final = re.compile(r"^(CRON_TZ|TZ)=[A-Za-z0-9_+\-/]+$")
_CRON_FIELD: Final = re.compile(r"^[0-9A-Za-z*/,?#LW-]+$")
_KFP_IR_KEYS: Final = ("pipelineInfo", "root", "schemaVersion")

AUTOSCALING_METRICS: Final[tuple[str, ...]] = (
    "aiplatform.googleapis.com/prediction/online/cpu/utilization",
    "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle",
    "aiplatform.googleapis.com/prediction/online/request_count",
)
"""``AutoscalingMetricSpec.metricName`` values documented for online prediction (v1)."""

INSTANCES_FORMATS: Final[tuple[str, ...]] = (
    "jsonl",
    "csv",
    "tf-record",
    "tf-record-gzip",
    "bigquery",
    "file-list",
)
PREDICTIONS_FORMATS: Final[tuple[str, ...]] = ("jsonl", "csv", "bigquery")


class VertexBodyError(ValueError):
    """A body that Vertex AI would refuse, or that breaks one of the project's own rules.

    ``kind`` is the API type ("Model"...), ``path`` the JSON path of the offending value
    (``deployedModel.dedicatedResources.minReplicaCount``), ``message`` what is wrong.
    """

    def __init__(self, message: str, *, kind: str = "", path: str = "") -> None:
        self.kind = kind
        self.path = path
        self.message = message
        where = " ".join(part for part in (kind, path) if part)
        super().__init__(f"{where}: {message}" if where else message)


# --- lazy imports ----------------------------------------------------------------------------------


@functools.cache
def _types() -> Any:
    """``google.cloud.aiplatform_v1.types``, imported on first use (1.5-2.5 s, see module docstring)."""
    return importlib.import_module("google.cloud.aiplatform_v1.types")


@functools.cache
def _json_format() -> Any:
    return importlib.import_module("google.protobuf.json_format")


# --- public entry point ----------------------------------------------------------------------------


def parse_body(kind: str, body: Mapping[str, object]) -> None:
    """Parse ``body`` (camelCase JSON) into the Vertex AI v1 type ``kind`` and run every check.

    Raises ``VertexBodyError`` naming the kind, the JSON path and the problem.
    """
    if kind not in KINDS:
        raise VertexBodyError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not isinstance(body, Mapping):
        raise VertexBodyError(f"the body must be a JSON object, not {type(body).__name__}", kind=kind)
    if sys.flags.optimize >= 2:
        raise RuntimeError("parse_body reads output-only fields from docstrings; run without python -OO")
    try:
        data = json.loads(json.dumps(body, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise VertexBodyError(f"the body is not JSON data: {exc}", kind=kind) from exc

    message_class = getattr(_types(), kind)
    json_format = _json_format()
    try:
        json_format.ParseDict(data, message_class.pb()())
    except json_format.ParseError as exc:
        raise VertexBodyError(str(exc), kind=kind) from exc

    try:
        _walk_message(message_class.pb().DESCRIPTOR, data, "")
        _KIND_CHECKS[kind](data)
    except VertexBodyError as exc:
        raise VertexBodyError(exc.message, kind=kind, path=exc.path) from None


# --- checks that callers can use on their own ------------------------------------------------------


def check_traffic_split(split: Mapping[str, int], *, path: str = "trafficSplit") -> None:
    """A traffic split maps DeployedModel ids to whole percentages that add up to exactly 100.

    Keys are DeployedModel ids (1-10 digits); in a ``DeployModelRequest`` the key "0" stands for
    the model being deployed. Values are integers in [0, 100].
    """
    if not split:
        raise VertexBodyError("an empty traffic split sends no traffic anywhere; leave the field out", path=path)
    for key, percent in split.items():
        if not _DEPLOYED_MODEL_ID.match(key):
            raise VertexBodyError(
                f"key {key!r} is not a DeployedModel id (1-10 digits; '0' is the model being deployed)",
                path=path,
            )
        value = _as_int(percent, f"{path}[{key!r}]")
        if not 0 <= value <= 100:
            raise VertexBodyError(f"{key!r}: {value} is not a percentage in [0, 100]", path=path)
    total = sum(_as_int(percent, path) for percent in split.values())
    if total != 100:
        raise VertexBodyError(f"percentages add up to {total}, not 100", path=path)


def check_replica_bounds(minimum: object, maximum: object | None, *, path: str = "dedicatedResources") -> None:
    """``1 <= minReplicaCount <= maxReplicaCount`` (an absent maximum defaults to the minimum)."""
    low = _as_int(minimum, f"{path}.minReplicaCount")
    if low < 1:
        raise VertexBodyError(f"minReplicaCount is {low}; Vertex AI needs at least 1", path=path)
    if maximum is None:
        return
    high = _as_int(maximum, f"{path}.maxReplicaCount")
    if high < low:
        raise VertexBodyError(f"maxReplicaCount {high} is below minReplicaCount {low}", path=path)


def check_sample_rate(rate: object, *, path: str) -> None:
    """A sampling fraction in (0, 1].

    The API documents ``RandomSampleConfig.sampleRate`` and ``PredictRequestResponseLoggingConfig
    .samplingRate`` as "(0, 1]": a rate of 0 would log nothing, so 0 is refused as well.
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        raise VertexBodyError(f"sample rate {rate!r} is outside (0, 1]", path=path)


def check_threshold(value: object, *, path: str) -> None:
    """A drift or skew ``ThresholdConfig.value`` in (0, 1].

    Vertex compares it with a Jensen-Shannon divergence (numerical features) or an L-infinity
    distance (categorical features); both lie in [0, 1], so a threshold above 1 never fires, and the
    API says a feature with a zero threshold raises no alert.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise VertexBodyError(f"threshold {value!r} is outside (0, 1]", path=path)


def output_only_fields(type_name: str) -> frozenset[str]:
    """JSON names of the fields that the API documents as "Output only." on ``type_name``.

    ``type_name`` is relative to ``google.cloud.aiplatform.v1`` ("Model", "BatchPredictionJob.OutputInfo").
    """
    return frozenset(_output_only(_PACKAGE + type_name).values())


# --- descriptor walk -------------------------------------------------------------------------------


def _walk_message(descriptor: Any, obj: Mapping[str, Any], path: str) -> None:
    """Check keys, enum values and output-only fields of one message, then its own project check."""
    output_only = _output_only(descriptor.full_name)
    by_json_name = {field.json_name: field for field in descriptor.fields}
    for key, value in obj.items():
        field_path = f"{path}.{key}" if path else key
        field = by_json_name.get(key)
        if field is None:
            proto_field = descriptor.fields_by_name.get(key)
            hint = f"; the JSON name is {proto_field.json_name!r}" if proto_field is not None else ""
            raise VertexBodyError(f"{key!r} is not a JSON field name of {descriptor.name}{hint}", path=field_path)
        if field.name in output_only:
            raise VertexBodyError(
                "output-only field: the service sets it, a request must not carry it", path=field_path
            )
        _walk_field(field, value, field_path)
    check = _MESSAGE_CHECKS.get(descriptor.full_name)
    if check is not None:
        check(obj, path)


def _walk_field(field: Any, value: Any, path: str) -> None:
    entry = field.message_type
    if entry is not None and entry.GetOptions().map_entry:
        value_field = entry.fields_by_name["value"]
        for key, item in value.items():
            _walk_value(value_field, item, f"{path}[{key!r}]")
        if field.name == "labels":
            _check_labels(value, path)
    elif field.is_repeated:
        for index, item in enumerate(value):
            _walk_value(field, item, f"{path}[{index}]")
    else:
        _walk_value(field, value, path)


def _walk_value(field: Any, value: Any, path: str) -> None:
    if field.enum_type is not None:
        _check_enum(field.enum_type, value, path)
    elif field.message_type is not None and not field.message_type.full_name.startswith("google.protobuf."):
        # google.protobuf.* are the well-known types: Struct/Value (free-form), Duration, Timestamp,
        # FieldMask and wrappers, whose JSON forms ParseDict has already checked.
        _walk_message(field.message_type, value, path)


def _check_enum(enum: Any, value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise VertexBodyError(
            f"enum {enum.name} is written by name in JSON ({', '.join(_enum_names(enum))}), not {value!r}",
            path=path,
        )
    member = enum.values_by_name[value]
    if member.number == 0 and value.endswith("_UNSPECIFIED"):
        raise VertexBodyError(f"{value} means 'not set': leave the field out", path=path)


def _enum_names(enum: Any) -> list[str]:
    return [v.name for v in enum.values if not (v.number == 0 and v.name.endswith("_UNSPECIFIED"))]


def _check_labels(labels: Mapping[str, str], path: str) -> None:
    """Label keys and values: at most 64 characters, lowercase letters, digits, ``_`` and ``-``.

    International letters are allowed (the API says so); keys start with a letter (Google Cloud
    label rules).
    """

    def allowed(text: str) -> bool:
        return len(text) <= 64 and all(c.isdigit() or c in "_-" or (c.isalpha() and not c.isupper()) for c in text)

    for key, value in labels.items():
        if not key or not allowed(key) or not (key[0].isalpha() and not key[0].isupper()):
            raise VertexBodyError(
                f"label key {key!r}: start with a lowercase letter; then lowercase letters, digits, "
                "'_' and '-' (at most 64)",
                path=path,
            )
        if not allowed(value):
            raise VertexBodyError(
                f"label value {value!r} for {key!r}: lowercase letters, digits, '_' and '-' (at most 64)",
                path=path,
            )


# --- output-only fields from the proto comments ----------------------------------------------------


@functools.cache
def _output_only(full_name: str) -> dict[str, str]:
    """Proto field name -> JSON name of the fields documented "Output only." on message ``full_name``."""
    if not full_name.startswith(_PACKAGE):
        return {}
    obj: Any = _types()
    for part in full_name[len(_PACKAGE) :].split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise LookupError(f"no proto-plus class for {full_name}")
    descriptor = obj.pb().DESCRIPTOR
    return {
        name: descriptor.fields_by_name[name].json_name
        for name, text in _attribute_docs(obj.__doc__ or "").items()
        if _OUTPUT_ONLY_DOC.match(text) and name in descriptor.fields_by_name
    }


def _attribute_docs(doc: str) -> dict[str, str]:
    """The ``Attributes:`` section of a proto-plus docstring: attribute name -> its text, on one line."""
    header = _ATTRIBUTES_HEADER.search(doc)
    if header is None:
        return {}
    indent = len(header.group("indent")) + 4
    attribute = re.compile(rf"^ {{{indent}}}(\w+) \(.+\):\s*$")
    docs: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc[header.end() :].splitlines():
        match = attribute.match(line)
        if match:
            current = docs.setdefault(match.group(1), [])
        elif current is not None and line.strip():
            current.append(line.strip())
    return {name: " ".join(lines) for name, lines in docs.items()}


# --- small helpers ---------------------------------------------------------------------------------


def _as_int(value: object, path: str) -> int:
    """An integer field: a JSON number, or a decimal string (proto3 JSON writes int64 as strings)."""
    if isinstance(value, str) and _INTEGER_TEXT.match(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise VertexBodyError(f"expected an integer, not {value!r}", path=path)
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _require(obj: Mapping[str, Any], key: str, path: str) -> Any:
    """The value at ``key``, which must be present and not empty ("", [], {})."""
    value = obj.get(key)
    if value is None or value in ("", [], {}):
        raise VertexBodyError("required field is missing or empty", path=_join(path, key))
    return value


def _require_match(obj: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str], what: str) -> str:
    value = _require(obj, key, path)
    if not isinstance(value, str) or not pattern.match(value):
        raise VertexBodyError(f"{value!r} is not {what}", path=_join(path, key))
    return value


def _check_match(obj: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str], what: str) -> None:
    if key in obj:
        _require_match(obj, key, path, pattern, what)


def _duration_seconds(text: str, path: str) -> float:
    match = _DURATION.match(text)
    if match is None:
        raise VertexBodyError(f"{text!r} is not a protobuf Duration such as '3600s'", path=path)
    return int(match.group("seconds")) + float(match.group("fraction") or 0)


def _one_of(obj: Mapping[str, Any], keys: Sequence[str], path: str) -> str:
    present = [key for key in keys if key in obj]
    if len(present) != 1:
        raise VertexBodyError(f"give exactly one of {', '.join(keys)}", path=path)
    return present[0]


# --- per-message checks (run wherever the message appears) -----------------------------------------


def _check_encryption_spec(obj: Mapping[str, Any], path: str) -> None:
    _require_match(obj, "kmsKeyName", path, _KMS_KEY, "a key name projects/P/locations/L/keyRings/R/cryptoKeys/K")


def _check_machine_spec(obj: Mapping[str, Any], path: str) -> None:
    has_type = "acceleratorType" in obj
    count = _as_int(obj.get("acceleratorCount", 0), _join(path, "acceleratorCount"))
    if has_type and count < 1:
        raise VertexBodyError("acceleratorType is set: acceleratorCount must be at least 1", path=path)
    if not has_type and count:
        raise VertexBodyError("acceleratorCount without acceleratorType", path=path)


def _check_dedicated_resources(obj: Mapping[str, Any], path: str) -> None:
    machine = _require(obj, "machineSpec", path)
    _require(machine, "machineType", _join(path, "machineSpec"))
    check_replica_bounds(_require(obj, "minReplicaCount", path), obj.get("maxReplicaCount"), path=path)
    seen: set[str] = set()
    for index, spec in enumerate(obj.get("autoscalingMetricSpecs", [])):
        spec_path = f"{_join(path, 'autoscalingMetricSpecs')}[{index}]"
        name = _require(spec, "metricName", spec_path)
        if name not in AUTOSCALING_METRICS:
            raise VertexBodyError(f"{name!r} is not one of {', '.join(AUTOSCALING_METRICS)}", path=spec_path)
        if name in seen:
            raise VertexBodyError(f"{name!r} is given twice; at most one entry per metric", path=spec_path)
        seen.add(name)
        if "target" in spec and not 1 <= _as_int(spec["target"], f"{spec_path}.target") <= 100:
            raise VertexBodyError(f"target {spec['target']} is not a percentage in [1, 100]", path=spec_path)


def _check_batch_dedicated_resources(obj: Mapping[str, Any], path: str) -> None:
    machine = _require(obj, "machineSpec", path)
    _require(machine, "machineType", _join(path, "machineSpec"))
    starting = obj.get("startingReplicaCount")
    maximum = obj.get("maxReplicaCount")
    if starting is not None:
        check_replica_bounds(starting, maximum, path=path)
    elif maximum is not None and _as_int(maximum, _join(path, "maxReplicaCount")) < 1:
        raise VertexBodyError("maxReplicaCount must be at least 1", path=path)


def _check_deployed_model(obj: Mapping[str, Any], path: str) -> None:
    _check_match(obj, "id", path, _DEPLOYED_MODEL_ID, "a DeployedModel id (1-10 digits)")
    _require_match(obj, "model", path, _MODEL_NAME, "a model name projects/P/locations/L/models/M[@version]")
    _one_of(obj, ("dedicatedResources", "automaticResources", "sharedResources"), path)


def _check_random_sample_config(obj: Mapping[str, Any], path: str) -> None:
    check_sample_rate(_require(obj, "sampleRate", path), path=_join(path, "sampleRate"))


def _check_threshold_config(obj: Mapping[str, Any], path: str) -> None:
    check_threshold(_require(obj, "value", path), path=_join(path, "value"))


def _check_logging_config(obj: Mapping[str, Any], path: str) -> None:
    if obj.get("enabled"):
        check_sample_rate(_require(obj, "samplingRate", path), path=_join(path, "samplingRate"))
        _require(obj, "bigqueryDestination", path)


def _check_objective_config(obj: Mapping[str, Any], path: str) -> None:
    skew = obj.get("trainingPredictionSkewDetectionConfig")
    drift = obj.get("predictionDriftDetectionConfig")
    if skew is None and drift is None:
        raise VertexBodyError(
            "give predictionDriftDetectionConfig and/or trainingPredictionSkewDetectionConfig", path=path
        )
    if skew is not None:
        _require(obj, "trainingDataset", path)
        if not skew.get("skewThresholds") and "defaultSkewThreshold" not in skew:
            raise VertexBodyError(
                "no skewThresholds and no defaultSkewThreshold: no feature would be monitored",
                path=_join(path, "trainingPredictionSkewDetectionConfig"),
            )
    if drift is not None and not drift.get("driftThresholds") and "defaultDriftThreshold" not in drift:
        raise VertexBodyError(
            "no driftThresholds and no defaultDriftThreshold: no feature would be monitored",
            path=_join(path, "predictionDriftDetectionConfig"),
        )


def _check_training_dataset(obj: Mapping[str, Any], path: str) -> None:
    source = _one_of(obj, ("dataset", "gcsSource", "bigquerySource"), path)
    if source == "gcsSource":
        _require(obj, "dataFormat", path)


def _check_email_alert_config(obj: Mapping[str, Any], path: str) -> None:
    emails = _require(obj, "userEmails", path)
    for index, email in enumerate(emails):
        if not _EMAIL.match(email):
            raise VertexBodyError(f"{email!r} is not an email address", path=f"{_join(path, 'userEmails')}[{index}]")


def _check_schedule_config(obj: Mapping[str, Any], path: str) -> None:
    interval_path = _join(path, "monitorInterval")
    seconds = _duration_seconds(_require(obj, "monitorInterval", path), interval_path)
    if seconds < 3600 or seconds % 3600:
        raise VertexBodyError(
            f"{obj['monitorInterval']!r}: Vertex AI rounds the interval up to the next full hour; give whole hours",
            path=interval_path,
        )


def _check_gcs_source(obj: Mapping[str, Any], path: str) -> None:
    for index, uri in enumerate(_require(obj, "uris", path)):
        if not _GCS_URI.match(uri):
            raise VertexBodyError(f"{uri!r} is not a gs:// URI", path=f"{_join(path, 'uris')}[{index}]")


def _check_gcs_destination(obj: Mapping[str, Any], path: str) -> None:
    _require_match(obj, "outputUriPrefix", path, _GCS_URI, "a gs:// URI")


def _check_bigquery_source(obj: Mapping[str, Any], path: str) -> None:
    _require_match(obj, "inputUri", path, _BQ_TABLE, "a table bq://project.dataset.table")


def _check_bigquery_destination(obj: Mapping[str, Any], path: str) -> None:
    _require_match(obj, "outputUri", path, _BQ_DESTINATION, "bq://project[.dataset[.table]]")


def _check_env_var(obj: Mapping[str, Any], path: str) -> None:
    _require_match(obj, "name", path, _C_IDENTIFIER, "a C identifier")


def _check_port(obj: Mapping[str, Any], path: str) -> None:
    port = _as_int(_require(obj, "containerPort", path), _join(path, "containerPort"))
    if not 1 <= port <= 65535:
        raise VertexBodyError(f"port {port} is outside 1-65535", path=path)


_MessageCheck = Callable[[Mapping[str, Any], str], None]

_MESSAGE_CHECKS: Final[dict[str, _MessageCheck]] = {
    _PACKAGE + "EncryptionSpec": _check_encryption_spec,
    _PACKAGE + "MachineSpec": _check_machine_spec,
    _PACKAGE + "DedicatedResources": _check_dedicated_resources,
    _PACKAGE + "BatchDedicatedResources": _check_batch_dedicated_resources,
    _PACKAGE + "DeployedModel": _check_deployed_model,
    _PACKAGE + "SamplingStrategy.RandomSampleConfig": _check_random_sample_config,
    _PACKAGE + "ThresholdConfig": _check_threshold_config,
    _PACKAGE + "PredictRequestResponseLoggingConfig": _check_logging_config,
    _PACKAGE + "ModelMonitoringObjectiveConfig": _check_objective_config,
    _PACKAGE + "ModelMonitoringObjectiveConfig.TrainingDataset": _check_training_dataset,
    _PACKAGE + "ModelMonitoringAlertConfig.EmailAlertConfig": _check_email_alert_config,
    _PACKAGE + "ModelDeploymentMonitoringScheduleConfig": _check_schedule_config,
    _PACKAGE + "GcsSource": _check_gcs_source,
    _PACKAGE + "GcsDestination": _check_gcs_destination,
    _PACKAGE + "BigQuerySource": _check_bigquery_source,
    _PACKAGE + "BigQueryDestination": _check_bigquery_destination,
    _PACKAGE + "EnvVar": _check_env_var,
    _PACKAGE + "Port": _check_port,
}


# --- per-kind checks (the top-level body) ----------------------------------------------------------


def _check_display_name(body: Mapping[str, Any]) -> None:
    name = _require(body, "displayName", "")
    if len(name) > 128:
        raise VertexBodyError(f"{len(name)} characters; at most 128", path="displayName")


def _check_model(body: Mapping[str, Any]) -> None:
    _check_display_name(body)
    if "name" in body:
        raise VertexBodyError(
            "the resource name is assigned on upload (use the modelId request field), not sent", path="name"
        )
    container = _require(body, "containerSpec", "")
    image = _require_match(
        container,
        "imageUri",
        "containerSpec",
        _IMAGE_REGISTRY,
        "an image in Artifact Registry (REGION-docker.pkg.dev/...) or Container Registry (gcr.io/...)",
    )
    if _PREBUILT_PREDICTION_IMAGE.match(image):
        _require(body, "artifactUri", "")
    _check_match(body, "artifactUri", "", _GCS_URI, "a gs:// URI (Vertex AI reads artifacts from Cloud Storage)")
    if len(container.get("ports", [])) > 1:
        raise VertexBodyError("Vertex AI uses only the first port; give one", path="containerSpec.ports")


def _check_endpoint(body: Mapping[str, Any]) -> None:
    _check_display_name(body)
    if body.get("trafficSplit"):
        check_traffic_split(body["trafficSplit"])
    _check_match(body, "network", "", _NETWORK, "a network projects/PROJECT_NUMBER/global/networks/NAME")
    if "network" in body and ("privateServiceConnectConfig" in body or "enablePrivateServiceConnect" in body):
        raise VertexBodyError("network and private service connect are mutually exclusive", path="network")


def _check_deploy_model_request(body: Mapping[str, Any]) -> None:
    if "endpoint" in body:
        raise VertexBodyError("the endpoint is the URL path of :deployModel, not a body field", path="endpoint")
    deployed = _require(body, "deployedModel", "")
    split = body.get("trafficSplit")
    if split is None:
        return
    check_traffic_split(split)
    own_id = deployed.get("id")
    if own_id is not None and own_id in split:
        raise VertexBodyError(
            f"the model being deployed is '0' in trafficSplit, not its own id {own_id!r}", path="trafficSplit"
        )


def _check_monitoring_job(body: Mapping[str, Any]) -> None:
    _check_display_name(body)
    _require_match(body, "endpoint", "", _ENDPOINT_NAME, "an endpoint name projects/P/locations/L/endpoints/E")
    configs = _require(body, "modelDeploymentMonitoringObjectiveConfigs", "")
    seen: set[str] = set()
    for index, config in enumerate(configs):
        path = f"modelDeploymentMonitoringObjectiveConfigs[{index}]"
        model_id = _require_match(config, "deployedModelId", path, _DEPLOYED_MODEL_ID, "a DeployedModel id")
        if model_id in seen:
            raise VertexBodyError(f"deployedModelId {model_id!r} is configured twice", path=path)
        seen.add(model_id)
        _require(config, "objectiveConfig", path)
    _require(
        _require(body, "modelDeploymentMonitoringScheduleConfig", ""),
        "monitorInterval",
        "modelDeploymentMonitoringScheduleConfig",
    )
    _require(_require(body, "loggingSamplingStrategy", ""), "randomSampleConfig", "loggingSamplingStrategy")


def _check_batch_prediction_job(body: Mapping[str, Any]) -> None:
    _check_display_name(body)
    _require_match(body, "model", "", _MODEL_NAME, "a model name projects/P/locations/L/models/M[@version]")
    if "unmanagedContainerModel" in body:
        raise VertexBodyError("give model or unmanagedContainerModel, not both", path="unmanagedContainerModel")
    inputs = _require(body, "inputConfig", "")
    instances = _require(inputs, "instancesFormat", "inputConfig")
    if instances not in INSTANCES_FORMATS:
        raise VertexBodyError(
            f"{instances!r} is not one of {', '.join(INSTANCES_FORMATS)}", path="inputConfig.instancesFormat"
        )
    source = _one_of(inputs, ("gcsSource", "bigquerySource"), "inputConfig")
    if (instances == "bigquery") != (source == "bigquerySource"):
        raise VertexBodyError(f"instancesFormat {instances!r} does not go with {source}", path="inputConfig")
    outputs = _require(body, "outputConfig", "")
    predictions = _require(outputs, "predictionsFormat", "outputConfig")
    if predictions not in PREDICTIONS_FORMATS:
        raise VertexBodyError(
            f"{predictions!r} is not one of {', '.join(PREDICTIONS_FORMATS)}",
            path="outputConfig.predictionsFormat",
        )
    destination = _one_of(outputs, ("gcsDestination", "bigqueryDestination"), "outputConfig")
    if (predictions == "bigquery") != (destination == "bigqueryDestination"):
        raise VertexBodyError(f"predictionsFormat {predictions!r} does not go with {destination}", path="outputConfig")
    # Custom-trained models support DEDICATED_RESOURCES only, and MachineSpec.machineType is
    # required for a BatchPredictionJob.
    _require(body, "dedicatedResources", "")


def _check_schedule(body: Mapping[str, Any]) -> None:
    _check_display_name(body)
    if "name" in body:
        raise VertexBodyError("the resource name is assigned on creation, not sent", path="name")
    _check_cron(_require(body, "cron", ""))
    if _as_int(_require(body, "maxConcurrentRunCount", ""), "maxConcurrentRunCount") < 1:
        raise VertexBodyError("must be at least 1", path="maxConcurrentRunCount")
    request = _require(body, "createPipelineJobRequest", "")
    _require_match(request, "parent", "createPipelineJobRequest", _PARENT, "projects/P/locations/L")
    if "pipelineJobId" in request:
        raise VertexBodyError(
            "a fixed PipelineJob id would collide from the second run on; leave it out",
            path="createPipelineJobRequest.pipelineJobId",
        )
    job_path = "createPipelineJobRequest.pipelineJob"
    job = _require(request, "pipelineJob", "createPipelineJobRequest")
    spec_key = _one_of(job, ("pipelineSpec", "templateUri"), job_path)
    if spec_key == "pipelineSpec":
        missing = [key for key in _KFP_IR_KEYS if key not in job["pipelineSpec"]]
        if missing:
            raise VertexBodyError(
                f"not a KFP pipeline spec (IR): missing {', '.join(missing)}", path=f"{job_path}.pipelineSpec"
            )
    runtime = _require(job, "runtimeConfig", job_path)
    _require_match(runtime, "gcsOutputDirectory", f"{job_path}.runtimeConfig", _GCS_URI, "a gs:// URI")


def _check_cron(cron: str) -> None:
    parts = cron.split()
    if parts and _CRON_TZ.match(parts[0]):
        parts = parts[1:]
    if len(parts) != 5 or not all(_CRON_FIELD.match(part) for part in parts):
        raise VertexBodyError(
            f"{cron!r} is not a five-field cron expression (optionally prefixed by TZ=Zone or CRON_TZ=Zone)",
            path="cron",
        )


_KIND_CHECKS: Final[dict[str, Callable[[Mapping[str, Any]], None]]] = {
    "Model": _check_model,
    "Endpoint": _check_endpoint,
    "DeployModelRequest": _check_deploy_model_request,
    "ModelDeploymentMonitoringJob": _check_monitoring_job,
    "BatchPredictionJob": _check_batch_prediction_job,
    "Schedule": _check_schedule,
}


# --- rendered files --------------------------------------------------------------------------------

FILE_KINDS: Final[dict[str, str]] = {
    "model.json": "Model",
    "endpoint.json": "Endpoint",
    "deploy-model.json": "DeployModelRequest",
    "monitoring-job.json": "ModelDeploymentMonitoringJob",
    "batch-prediction-job.json": "BatchPredictionJob",
    "retraining-schedule.json": "Schedule",
}
"""Each JSON file of a rendered Vertex folder and the one API type it maps to."""

_SCRIPT_FILE_REFERENCE: Final = re.compile(r"\b([a-z-]+\.json)\b")


def check_rendered(file: Any) -> list[str]:
    """Problems of one rendered Vertex file (a ``RenderedFile``); ``[]`` when it is valid.

    JSON files: the name says the API type, the text is exactly the body's JSON, and ``parse_body``
    accepts it. ``apply.sh``: ``bash -n`` parses it, it runs with ``set -euo pipefail`` and names only
    files of the folder. ``README.md``: names the apply script and every body it applies.
    """
    name = str(file.path).rsplit("/", 1)[-1]
    if name == "apply.sh":
        return _check_script(str(file.content))
    if name == "README.md":
        text = str(file.content)
        return [] if "./apply.sh" in text and "model.json" in text else ["README.md does not explain apply.sh"]
    if name == "apply.json":
        return _check_settings(file)
    kind = FILE_KINDS.get(name)
    if kind is None:
        return [f"{name}: not a file the Vertex target renders ({', '.join(FILE_KINDS)}, apply.sh, README.md)"]
    if file.kind != kind:
        return [f"{name} is a {kind}, but was rendered as {file.kind}"]
    try:
        if json.loads(file.content) != file.body:
            return [f"{name}: the file's text is not the JSON of its body"]
        parse_body(kind, file.body)
    except (ValueError, VertexBodyError) as exc:
        return [f"{name}: {exc}"]
    return []


def _check_settings(file: Any) -> list[str]:
    """``apply.json``: the values ``apply.sh`` reads with ``value KEY``: strings, with every key the script
    asks for, and ``traffic_split`` (the endpoint's split once applied: DeployedModel ids to percents
    adding up to 100, the rule of ``Endpoint.trafficSplit``)."""
    body = file.body
    if file.kind != "ApplySettings" or json.loads(file.content) != body:
        return ["apply.json: not the ApplySettings JSON of its body"]
    if not isinstance(body, dict) or not all(isinstance(v, str) for k, v in body.items() if k != "traffic_split"):
        return ["apply.json: values must all be strings"]
    split = body.get("traffic_split")
    if split is not None:
        if not isinstance(split, dict) or not all(re.fullmatch(r"[0-9]{1,10}", str(k)) for k in split):
            return ["apply.json: traffic_split maps DeployedModel ids (1-10 digits) to percents"]
        try:
            check_traffic_split(split, path="traffic_split")
        except VertexBodyError as exc:
            return [f"apply.json: {exc}"]
    required = {"project", "region", "model_id", "alias"}
    missing = sorted(required - set(body))
    return [f"apply.json: missing {', '.join(missing)}"] if missing else []


def _check_script(text: str) -> list[str]:
    import subprocess

    problems: list[str] = []
    if not text.startswith("#!/usr/bin/env bash\n"):
        problems.append("apply.sh must start with #!/usr/bin/env bash")
    if "\nset -euo pipefail\n" not in text:
        problems.append("apply.sh must run with set -euo pipefail")
    unknown = sorted(set(_SCRIPT_FILE_REFERENCE.findall(text)) - set(FILE_KINDS) - {"apply.json"})
    if unknown:
        problems.append(f"apply.sh names files the folder does not have: {', '.join(unknown)}")
    result = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        problems.append(f"bash -n: {result.stderr.strip()}")
    return problems
