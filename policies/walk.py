"""Walk plain data (a spec document or a rendered body) and yield every string with the key it sits under.

The key is what the secret scanner grades a value by: the mapping key above a value, the list's key for
list items, and for Kubernetes/Vertex-style `[{name: X, value: Y}]` pairs the sibling `name` (so that
`API_TOKEN` in an env list is seen as a secret-looking key). Mapping keys are yielded too (a token
pasted as a key is still a token), with `is_key` set so the finding points at the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from mlopsc.compiler.source import Path_


@dataclass(frozen=True)
class Text:
    path: Path_
    key: str | None
    value: str
    is_key: bool = False


def strings(node: object, path: Path_ = (), key: str | None = None) -> Iterator[Text]:
    if isinstance(node, str):
        yield Text(path, key, node)
    elif isinstance(node, Mapping):
        pair_name = node.get("name") if isinstance(node.get("value"), str) else None
        for raw_key, v in node.items():
            k = str(raw_key)
            yield Text((*path, k), None, k, True)
            child_key = pair_name if k == "value" and isinstance(pair_name, str) else k
            yield from strings(v, (*path, k), child_key)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from strings(item, (*path, i), key)


def value_at(node: object, path: Path_) -> object:
    """The value at `path`, or None when the path does not exist."""
    for part in path:
        if isinstance(node, Mapping) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node
