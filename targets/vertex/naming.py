"""Deterministic Vertex AI resource ids, so that every file names its peers without placeholders.

The apply script creates each resource with an id chosen here (``modelId``, ``endpointId``,
``deployedModel.id``), so the names other bodies refer to are known when mlopsc compiles:

- Model: ``<metadata.name>-<environment>`` (``modelId``), one Model per environment with one
  version per model version, aliased ``v<major>-<minor>-<patch>`` (dots are not allowed in aliases).
- Endpoint: ``<metadata.name>-<environment>`` (``endpointId``).
- DeployedModel: ``1MMMmmmppp``, ten digits: 1, then major, minor and patch zero-padded to three
  digits (2.1.0 -> ``1002001000``). Never ``0`` (which means "the model being deployed" in a
  ``trafficSplit``), always 1-10 digits as the API requires, and the previous version's id follows
  from ``rollout.previous.version`` alone. A pre-release suffix does not change the id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlopsc.compiler.ir import Plan

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)")
_RESOURCE_ID = re.compile(r"^[a-z][a-z0-9-]{0,61}[a-z0-9]$")
MAX_COMPONENT = 999


@dataclass(frozen=True)
class Names:
    """The ids and resource names of one environment's Vertex AI resources."""

    project: str
    region: str
    model_id: str
    endpoint_id: str
    alias: str
    deployed_model_id: str
    previous_alias: str | None
    previous_deployed_model_id: str | None

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"

    @property
    def model(self) -> str:
        return f"{self.parent}/models/{self.model_id}"

    @property
    def model_version(self) -> str:
        return f"{self.model}@{self.alias}"

    @property
    def endpoint(self) -> str:
        return f"{self.parent}/endpoints/{self.endpoint_id}"


def version_alias(version: str) -> str:
    """``2.1.0`` -> ``v2-1-0``; ``2.1.0-rc.1`` -> ``v2-1-0-rc-1`` (``[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]``)."""
    return "v" + re.sub(r"[^A-Za-z0-9]+", "-", version).strip("-")


def version_too_large(version: str) -> bool:
    """True when a major, minor or patch number does not fit the three digits of a DeployedModel id."""
    match = _SEMVER.match(version)
    # the length first: `int()` of a 5,000-digit component raises (Python's 4,300-digit limit)
    return match is None or any(len(part) > 3 or int(part) > MAX_COMPONENT for part in match.groups())


def deployed_model_id(version: str) -> str:
    """``2.1.0`` -> ``1002001000``: see the module docstring."""
    match = _SEMVER.match(version)
    assert match is not None, version
    major, minor, patch = (int(part) for part in match.groups())
    return f"1{major:03d}{minor:03d}{patch:03d}"


def resource_id(plan: Plan) -> str:
    return f"{plan.model_name}-{plan.environment}"


def resource_id_valid(value: str) -> bool:
    """``modelId`` and ``endpointId``: at most 63 of ``[a-z0-9-]``, starting with a letter."""
    return bool(_RESOURCE_ID.match(value))


def names(plan: Plan) -> Names:
    spec = plan.spec
    platform = spec.platforms.vertex
    assert platform is not None
    previous = spec.rollout.previous
    return Names(
        project=platform.project,
        region=platform.region,
        model_id=resource_id(plan),
        endpoint_id=resource_id(plan),
        alias=version_alias(spec.model.version),
        deployed_model_id=deployed_model_id(spec.model.version),
        previous_alias=version_alias(previous.version) if previous else None,
        previous_deployed_model_id=deployed_model_id(previous.version) if previous else None,
    )
