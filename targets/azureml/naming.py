"""Azure ML resource names: stable, derived from the spec, valid under Azure's naming rules.

Endpoint and deployment names are 3-32 characters: a letter first, then letters, digits and single
dashes, no dash at the end (how-to-manage-quotas.md). Lower case only, because the SDK lower-cases
traffic keys before it sends them, so a capitalised deployment would miss its own traffic entry.
Endpoint names are unique per Azure region (the scoring URI is <name>.<region>.inference.ml.azure.com),
so they carry the environment: staging and production in one region do not collide.
"""

from __future__ import annotations

import hashlib
import re

MAX_NAME = 32
_NOT_NAME = re.compile(r"[^a-z0-9]+")


def _squash(text: str) -> str:
    """Lower case; every run of other characters becomes one dash; no dash at either end."""
    return _NOT_NAME.sub("-", text.lower()).strip("-")


def _fit(name: str) -> str:
    """``name`` when it fits 32 characters, else its head plus 8 hex of its sha256 (stable)."""
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9].rstrip('-')}-{digest}"


def deployment_name(version: str) -> str:
    """The deployment serving model ``version``: ``2.1.0`` -> ``v2-1-0``, ``3.0.0-rc.1`` -> ``v3-0-0-rc-1``."""
    return _fit("v" + _squash(version))


def endpoint_name(model: str, environment: str, suffix: str = "") -> str:
    """``<model>-<environment>[-<suffix>]``, shortened with a hash when longer than 32 characters."""
    parts = [model, environment, suffix] if suffix else [model, environment]
    return _fit(_squash("-".join(parts)))


MAX_COMPUTE_NAME = 16


def cluster_name(model: str, environment: str) -> str:
    """The AmlCompute cluster of the batch deployment: ``<model>-<environment>``, squashed, at most 16
    characters, a letter first (Azure ML compute names: 2-16 letters, digits and dashes, starting with a
    letter, how-to-create-attach-compute-cluster.md); a longer one keeps its head plus 6 hex of its sha256."""
    name = _squash(f"{model}-{environment}")
    if not name[:1].isalpha():
        name = "b" + name
    if len(name) <= MAX_COMPUTE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: MAX_COMPUTE_NAME - 7].rstrip('-')}-{digest}"
