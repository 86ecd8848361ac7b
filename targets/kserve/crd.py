"""Strict validation of rendered custom resources against the CRDs a cluster serves.

``mlopsc compile --kserve-crd PATH`` checks every rendered InferenceService, InferenceGraph
or PrometheusRule against the CustomResourceDefinitions the user gives (a CRD file or a
folder of them, as kubeconform takes schema locations), typically exported from their own
cluster with ``kubectl get crd inferenceservices.serving.kserve.io -o yaml``. Nothing of a
particular KServe release is copied into mlopsc.

A CRD's OpenAPI schema only *declares* fields; the API server's strict field validation
(``kubectl apply --validate=strict``, the default since Kubernetes 1.27) also rejects fields
that are not declared. To get the same answer offline, each served version's schema is
rewritten before use:

* ``additionalProperties: false`` wherever an object schema gives ``properties`` and sets
  neither ``additionalProperties`` nor ``x-kubernetes-preserve-unknown-fields: true``;
* ``x-kubernetes-int-or-string: true`` becomes ``type: [integer, string]`` (so a float such
  as ``cpu: 0.1`` is refused, as the API server does);
* ``nullable: true`` admits ``null``; any other ``null`` is refused (a compiler should not
  emit one);
* the top-level ``metadata``, which CRDs declare as a bare ``{type: object}``, is checked
  against :data:`OBJECT_META`, a small ObjectMeta schema with unknown fields forbidden;
* RE2 patterns that Python spells differently (``^(?i)...``) are rewritten, and a pattern
  Python cannot compile is a :class:`CrdLoadError` rather than a crash mid-validation.

jsonschema is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["OBJECT_META", "CrdLoadError", "CrdValidator", "SchemaIssue"]

_CRD_API_VERSION = "apiextensions.k8s.io/v1"
_CRD_KIND = "CustomResourceDefinition"
_LIST_KINDS = frozenset({"List", "CustomResourceDefinitionList"})
_CRD_SUFFIXES = frozenset({".yaml", ".yml", ".json"})

# Names as the API server validates them (k8s.io/apimachinery/pkg/util/validation).
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN = rf"{_DNS_LABEL}(\.{_DNS_LABEL})*"
_QUALIFIED_NAME = (
    r"^(?=([^/]{1,253}/)?[^/]{1,63}$)"  # prefix at most 253 characters, name at most 63
    rf"({_DNS_SUBDOMAIN}/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"

_OWNER_REFERENCE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
        "uid": {"type": "string"},
        "controller": {"type": "boolean"},
        "blockOwnerDeletion": {"type": "boolean"},
    },
    "required": ["apiVersion", "kind", "name", "uid"],
    "additionalProperties": False,
}

_MANAGED_FIELDS_ENTRY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "fieldsType": {"type": "string"},
        "fieldsV1": {"type": "object"},
        "manager": {"type": "string"},
        "operation": {"type": "string"},
        "subresource": {"type": "string"},
        "time": {"type": "string"},
    },
    "additionalProperties": False,
}

OBJECT_META: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 253, "pattern": f"^{_DNS_SUBDOMAIN}$"},
        "generateName": {"type": "string"},
        "namespace": {"type": "string", "maxLength": 63, "pattern": f"^{_DNS_LABEL}$"},
        "labels": {
            "type": "object",
            "propertyNames": {"pattern": _QUALIFIED_NAME},
            "additionalProperties": {"type": "string", "maxLength": 63, "pattern": _LABEL_VALUE},
        },
        "annotations": {
            "type": "object",
            "propertyNames": {"pattern": _QUALIFIED_NAME},
            "additionalProperties": {"type": "string"},
        },
        "finalizers": {"type": "array", "items": {"type": "string"}},
        "ownerReferences": {"type": "array", "items": _OWNER_REFERENCE},
        "uid": {"type": "string"},
        "resourceVersion": {"type": "string"},
        "generation": {"type": "integer"},
        "selfLink": {"type": "string"},
        # `kubectl create --dry-run=client -o yaml` writes `creationTimestamp: null`.
        "creationTimestamp": {"type": ["string", "null"]},
        "deletionTimestamp": {"type": "string"},
        "deletionGracePeriodSeconds": {"type": "integer"},
        "managedFields": {"type": "array", "items": _MANAGED_FIELDS_ENTRY},
    },
    "additionalProperties": False,
}
"""The ObjectMeta fields a manifest may carry, with the API server's name rules."""


class CrdLoadError(Exception):
    """A CRD location could not be read: missing, not YAML, malformed, or without any CRD."""


@dataclass(frozen=True)
class SchemaIssue:
    """One schema violation in a document.

    ``path`` is the dotted path into the document, list indexes as numbers
    (``spec.predictor.containers.0.env.1.valueFrom``); ``location`` is the same path as a
    tuple, unambiguous when a key contains a dot (``metadata.annotations`` keys often do),
    for the resolver that turns paths into line and column.
    """

    path: str
    message: str
    location: tuple[str | int, ...] = ()


class CrdValidator:
    """Strict schemas, one per served ``(apiVersion, kind)``, and the check of a document."""

    def __init__(self, schemas: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        """Take already strict schemas keyed by ``("group/version", kind)``."""
        from jsonschema import Draft7Validator  # keep `import crd` cheap

        self._validators: dict[tuple[str, str], Validator] = {
            key: Draft7Validator(dict(schema)) for key, schema in sorted(schemas.items())
        }

    @classmethod
    def from_locations(cls, paths: Sequence[Path]) -> CrdValidator:
        """Load every served version of every CRD found in ``paths`` (files or folders).

        Files may hold several YAML documents (or a ``kind: List``); documents that are not
        CRDs are ignored. A location that yields no CRD is an error, as is the same kind
        defined twice with different schemas.
        """
        if not paths:
            raise CrdLoadError("no CRD location given")
        schemas: dict[tuple[str, str], dict[str, Any]] = {}
        origins: dict[tuple[str, str], Path] = {}
        for location in paths:
            found = 0
            for file in _crd_files(location):
                for crd in _crds(_read_documents(file), file):
                    for key, schema in _served_schemas(crd, file):
                        found += 1
                        if key in schemas and schemas[key] != schema:
                            raise CrdLoadError(
                                f"{file}: {key[0]} {key[1]} is already defined differently in {origins[key]}"
                            )
                        schemas[key] = schema
                        origins.setdefault(key, file)
            if not found:
                raise CrdLoadError(f"{location}: no served CustomResourceDefinition version found")
        return cls(schemas)

    def kinds(self) -> frozenset[tuple[str, str]]:
        """The ``(apiVersion, kind)`` pairs this validator knows."""
        return frozenset(self._validators)

    def validate(self, doc: Mapping[str, object]) -> list[SchemaIssue]:
        """Every violation of ``doc`` against its kind's strict schema, sorted by path.

        A document whose apiVersion/kind no loaded CRD serves gives a single issue naming
        the known kinds.
        """
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        validator = self._validators.get((str(api_version), str(kind)))
        if validator is None:
            return [self._unknown_kind(api_version, kind)]
        instance: Any = _plain(doc)
        unique = {issue for error in validator.iter_errors(instance) for issue in _issues(error)}
        return sorted(unique, key=lambda issue: (_sort_key(issue.location), issue.message))

    def _unknown_kind(self, api_version: object, kind: object) -> SchemaIssue:
        known = ", ".join(f"{a} {k}" for a, k in sorted(self._validators))
        served_api_versions = {a for a, _ in self._validators}
        where = "kind" if api_version in served_api_versions else "apiVersion"
        return SchemaIssue(
            path=where,
            message=f"no CRD serves apiVersion {api_version!r} kind {kind!r}; known kinds: {known}",
            location=(where,),
        )


# --- reading CRD locations ------------------------------------------------------------


def _crd_files(location: Path) -> list[Path]:
    if location.is_dir():
        return sorted(p for p in location.rglob("*") if p.is_file() and p.suffix.lower() in _CRD_SUFFIXES)
    if location.is_file():
        return [location]
    raise CrdLoadError(f"{location}: no such file or folder")


def _read_documents(file: Path) -> list[object]:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CrdLoadError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise CrdLoadError(f"{file}: cannot be read ({exc.strerror})") from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return list(yaml.load_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise CrdLoadError(f"{file}{where}: not valid YAML ({first_line})") from exc


def _crds(documents: Iterable[object], file: Path) -> Iterator[Mapping[str, Any]]:
    for doc in documents:
        if not isinstance(doc, Mapping):
            continue
        kind, api_version = doc.get("kind"), doc.get("apiVersion")
        if kind in _LIST_KINDS and isinstance(doc.get("items"), list):
            yield from _crds(doc["items"], file)
        elif kind == _CRD_KIND and isinstance(api_version, str) and api_version.startswith("apiextensions.k8s.io/"):
            if api_version != _CRD_API_VERSION:
                raise CrdLoadError(f"{file}: {api_version} CRDs are not supported, only {_CRD_API_VERSION}")
            yield doc


def _served_schemas(crd: Mapping[str, Any], file: Path) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
    metadata = crd.get("metadata")
    name = metadata.get("name", "?") if isinstance(metadata, Mapping) else "?"
    spec = crd.get("spec")
    try:
        group, kind, versions = spec["group"], spec["names"]["kind"], spec["versions"]  # type: ignore[index]
    except (KeyError, TypeError) as exc:
        raise CrdLoadError(f"{file}: CRD {name} lacks spec.group, spec.names.kind or spec.versions") from exc
    for version in versions:
        if not version.get("served", False):
            continue
        api_version = f"{group}/{version.get('name')}"
        raw = (version.get("schema") or {}).get("openAPIV3Schema")
        if not isinstance(raw, Mapping):
            raise CrdLoadError(f"{file}: CRD {name} version {version.get('name')} has no openAPIV3Schema")
        yield (api_version, kind), _strict_root(raw, f"{file}: {api_version} {kind}")


# --- making a CRD schema strict -------------------------------------------------------

# Keywords whose value is a schema, a list of schemas, or a name -> schema map.
_SCHEMA_KEYWORDS = frozenset({"additionalProperties", "items", "not"})
_SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMA_MAP_KEYWORDS = frozenset({"properties", "patternProperties"})

# RE2 accepts flags after `^`; Python 3.11 wants global flags at the very start.
_LEADING_FLAGS = re.compile(r"^\^\(\?([ims]+)\)")


def _strict_root(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    schema = _strict(raw, where)
    properties = schema.setdefault("properties", {})
    raw_meta = raw.get("properties", {}).get("metadata", {"type": "object"})
    properties["metadata"] = _metadata_schema(raw_meta, where)
    return schema


def _metadata_schema(raw_meta: Mapping[str, Any], where: str) -> dict[str, Any]:
    """ObjectMeta, plus whatever the CRD itself says of metadata (name rules, usually)."""
    extra = _strict(raw_meta, where)
    extra.pop("additionalProperties", None)
    extra.pop("type", None)
    if not extra:
        return dict(OBJECT_META)
    return {"allOf": [dict(OBJECT_META), extra]}


def _strict(node: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAP_KEYWORDS and isinstance(value, Mapping):
            out[key] = {name: _strict(sub, where) for name, sub in value.items()}
        elif key in _SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            out[key] = [_strict(sub, where) for sub in value]
        elif key in _SCHEMA_KEYWORDS and isinstance(value, Mapping):
            out[key] = _strict(value, where)
        elif key == "pattern" and isinstance(value, str):
            out[key] = _python_pattern(value, where)
        else:
            out[key] = value
    if out.get("x-kubernetes-int-or-string") is True:
        out["type"] = ["integer", "string"]
        if all(set(sub) == {"type"} for sub in out.get("anyOf", [])):
            out.pop("anyOf", None)
    if out.get("nullable") is True and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if out.get("x-kubernetes-embedded-resource") is True:
        embedded = out.setdefault("properties", {})
        embedded.setdefault("apiVersion", {"type": "string"})
        embedded.setdefault("kind", {"type": "string"})
        embedded.setdefault("metadata", dict(OBJECT_META))
    if (
        "properties" in out
        and "additionalProperties" not in out
        and out.get("x-kubernetes-preserve-unknown-fields") is not True
    ):
        out["additionalProperties"] = False
    return out


def _python_pattern(pattern: str, where: str) -> str:
    translated = _LEADING_FLAGS.sub(r"(?\1)^", pattern)
    try:
        re.compile(translated)
    except re.error as exc:
        raise CrdLoadError(f"{where}: pattern {pattern!r} is not a Python regular expression ({exc})") from exc
    return translated


# --- turning jsonschema errors into issues --------------------------------------------


def _plain(value: object) -> object:
    """Mappings to dicts and tuples to lists: the shapes jsonschema recognises as JSON."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _dotted(location: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in location)


def _sort_key(location: Sequence[str | int]) -> tuple[tuple[int, int, str], ...]:
    return tuple((1, part, "") if isinstance(part, int) else (0, 0, part) for part in location)


_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
    (type(None), "null"),
)


def _json_type(value: object) -> str:
    return next((name for cls, name in _JSON_TYPES if isinstance(value, cls)), type(value).__name__)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _issues(error: ValidationError) -> list[SchemaIssue]:
    location: tuple[str | int, ...] = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and error.validator_value is False:
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        declared = sorted(schema.get("properties", {}))
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        issues = []
        for name in sorted(str(k) for k in instance if k not in declared):
            close = difflib.get_close_matches(name, declared, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            where = (*location, name)
            issues.append(SchemaIssue(_dotted(where), f"unknown field {name!r}{hint}", where))
        return issues
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        message = (
            f"expected {' or '.join(str(t) for t in expected)}, "
            f"got {_json_type(error.instance)} {_short(error.instance)}"
        )
        return [SchemaIssue(_dotted(location), message, location)]
    return [SchemaIssue(_dotted(location), error.message, location)]
