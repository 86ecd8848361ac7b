"""The JSON Schema of mlops.yaml, generated from the pydantic model (`mlopsc schema`)."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://mlopsc.dev/schemas/mlops.v1.json"


def json_schema() -> dict[str, Any]:
    from mlopsc.compiler.spec.model import Spec

    schema = Spec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "mlops.yaml (mlopsc spec v1)"
    # Each environment overrides any part of the spec; the merged result is checked by mlopsc itself.
    schema["properties"]["environments"] = {
        "type": "object",
        "description": "Per-environment overrides, deep-merged over the sections above (maps merge, lists and "
        "scalars replace); one rendered tree each.",
        "propertyNames": {"pattern": "^[a-z][a-z0-9-]{0,30}$"},
        "additionalProperties": {"type": ["object", "null"]},
    }
    return schema
