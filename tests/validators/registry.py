"""registry.json against the committed ModelRegistryMetadata schema (compiler/registry.schema.json), draft
2020-12, with format checks (uri, date, date-time where jsonschema has a checker for them)."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from mlopsc.compiler.ir import Json, RenderedFile


def _checker() -> Any:
    """jsonschema's checkers plus `uri` and `date-time` (its own need rfc3987 / rfc3339-validator, not
    installed): an absolute URI has a scheme (RFC 3986 section 3) and no spaces; a date-time is RFC 3339's."""
    import datetime as dt
    import re

    import jsonschema

    checker = jsonschema.FormatChecker()
    checker.checks("uri")(
        lambda v: not isinstance(v, str) or re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", v) is not None
    )

    def date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
            return False
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    checker.checks("date-time", raises=ValueError)(date_time)
    return checker


@functools.cache
def validator() -> Any:
    import jsonschema

    text = resources.files("mlopsc.compiler").joinpath("registry.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=_checker())


def standard() -> Any:
    """The issue's ModelRegistryMetadata alone (its $defs entry), to show the extension does not contradict it."""
    import jsonschema

    schema = validator().schema
    alone = {**schema["$defs"]["ModelRegistryMetadata"], "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(alone, format_checker=_checker())


def validate(body: Json) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(body)]


# What REG001 reports (compiler/registry.py): a spec without these has an entry the standard does not accept
# yet, and the compile says so; every other rule of the schema holds for every rendered entry. The goldens are
# held to the whole schema (tests/test_registry.py).
REPORTED_INCOMPLETE = frozenset(
    f"provenance: '{name}' is a required property" for name in ("git_commit", "dataset_snapshot_uri")
)


def check_rendered(file: RenderedFile) -> list[str]:
    if file.kind != "ModelRegistryMetadata":
        return []
    return [p for p in validate(file.body) if p not in REPORTED_INCOMPLETE]
