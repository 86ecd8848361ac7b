"""Physical names of the SageMaker resources: content-hashed where AWS makes the resource immutable,
fixed and length-checked elsewhere.

Every property of `AWS::SageMaker::Model`, `EndpointConfig` and `DataQualityJobDefinition` is
create-only: CloudFormation replaces such a resource by creating the new one first, which fails with
"already exists" under a fixed name. Their names therefore end in 8 hex digits of the sha256 of their
canonical JSON (sorted keys, no spaces), so a new artifact, image or config is a new resource and the
endpoint update is a real blue/green deployment. When `<model>-<env>-<suffix>` would pass SageMaker's
63 characters, the model part is trimmed from the right (and any trailing `-` dropped): the hash keeps
the name unique. Fixed names (endpoint, schedules, pipelines) are never trimmed: over the limit they
are refused with the limit and the computed name.
"""

from __future__ import annotations

import hashlib
import json
import re

from mlopsc.compiler.ir import Json

SAGEMAKER_LIMIT = 63
"""Model, EndpointConfig, Endpoint, variant, job definition, schedule, model package group names."""
SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
SCHEDULER_LIMIT = 64  # AWS::Scheduler::Schedule Name, AWS::Events::Rule Name
PIPELINE_LIMIT = 256
ALARM_LIMIT = 255


def short_hash(body: Json) -> str:
    """8 hex digits of the sha256 of ``body``'s canonical JSON."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def hashed_name(model: str, environment: str, body: Json, infix: str = "") -> str:
    """``<model>-<env>[-<infix>]-<hash8>`` within 63 characters, trimming the model part if needed."""
    tail = f"-{environment}" + (f"-{infix}" if infix else "") + f"-{short_hash(body)}"
    room = SAGEMAKER_LIMIT - len(tail)
    head = model[: max(room, 1)].rstrip("-") or model[:1]
    return head + tail


def too_long(name: str, limit: int) -> str | None:
    """The refusal text when ``name`` passes ``limit``, else None."""
    if len(name) <= limit:
        return None
    return f"`{name}` has {len(name)} characters; the limit is {limit}"


def logical_id(*parts: str) -> str:
    """A CloudFormation logical id (alphanumeric) from words such as ``("drift", "merchant_category")``."""
    words = re.split(r"[^A-Za-z0-9]+", " ".join(parts))
    return "".join(w[:1].upper() + w[1:] for w in words if w)
