"""The deployment subject an approval binds: what runs in one environment, computed in one place.

An approval used to bind the artifact digest alone, so a production approval stayed valid while the
artifact's URI, the serving image or the training command changed under it. The subject is now every
field of the environment's *effective* spec (base merged with the environment's overrides) that says
what runs or where it reads and writes:

* every `digest`, `uri` and `*_uri` (the artifact and the previous version's, batch input and output,
  provenance, baselines),
* every `image`, `image_mirrors` and `mirrors` (serving, batch, retraining; the copies per platform),
* every `command` (batch, retraining),
* every `destination` and `*_destination` (payload capture, per platform too),

anywhere in the spec except `governance` (which holds the approvals themselves), plus the model's name
and the environment's. The digest is ``sha256:`` + SHA-256 of ``mlopsc-subject-v1`` and the subject as
canonical JSON (sorted keys, no blanks). `mlopsc approve` writes it into the record's `digest`, APR001
compares it, and a signed approval signs it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from enum import Enum

from mlopsc.compiler.spec.frozen import Frozen
from mlopsc.compiler.spec.typed import Spec

VERSION = "mlopsc-subject-v1"
_NAMES = frozenset({"digest", "uri", "image", "image_mirrors", "mirrors", "command", "destination"})
_SUFFIXES = ("_uri", "_destination")
_SKIP = frozenset({"governance"})


def deployment_subject(spec: Spec, environment: str) -> dict[str, object]:
    """`{dotted path: value}` of every subject field of one environment's effective spec (see module doc)."""
    found: dict[str, object] = {"metadata.name": spec.metadata.name, "environment": environment}
    _walk(spec, "", found)
    return found


def subject_digest(spec: Spec, environment: str) -> str:
    return digest_of(deployment_subject(spec, environment))


def digest_of(subject: Mapping[str, object]) -> str:
    """``sha256:`` + SHA-256 of the version line and the subject as canonical JSON."""
    text = VERSION + "\n" + json.dumps(subject, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _walk(node: object, path: str, found: dict[str, object]) -> None:
    if isinstance(node, Frozen):
        for name in node.field_names:
            if not path and name in _SKIP:
                continue
            child = f"{path}.{name}" if path else name
            value = getattr(node, name)
            if name in _NAMES or name.endswith(_SUFFIXES):
                plain = _plain(value)
                if plain not in (None, [], {}):
                    found[child] = plain
            else:
                _walk(value, child, found)
    elif isinstance(node, Mapping):
        for key in sorted(node, key=str):
            _walk(node[key], f"{path}.{key}", found)
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            _walk(item, f"{path}[{i}]", found)


def _plain(value: object) -> object:
    if isinstance(value, Frozen):
        return {name: _plain(getattr(value, name)) for name in value.field_names}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value
