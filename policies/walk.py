"""Walk plain data (a spec document or a rendered body) and yield every string with the key it sits under.

The key is what the secret scanner grades a value by: the mapping key above a value, the list's key for
list items, and for Kubernetes/Vertex-style `[{name: X, value: Y}]` pairs the sibling `name` (so that
`API_TOKEN` in an env list is seen as a secret-looking key). Mapping keys are yielded too (a token
pasted as a key is still a token), with `is_key` set so the finding points at the key.

Numbers are yielded as they were written (`DB_PASSWORD: 839201746655` is a literal password), booleans
and nulls are not. In a list, an item that follows a flag (`[--password, X]`, `[--token, X]`) is graded
under that flag, as if it were a key.
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
    """Every string under `node` in document order (a key before its value). Gathered by one plain
    recursive function into a list: a generator per level cost more than the secret scan itself."""
    out: list[Text] = []
    _gather(node, path, key, out)
    return iter(out)


def _number(node: object) -> str | None:
    """The written text of a number (int, or a float that kept its text), None for anything else."""
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    raw = getattr(node, "raw", None)
    return raw if isinstance(raw, str) else str(node)


def _item_key(items: list[object], i: int, key: str | None) -> str | None:
    """The key an item of a list is graded under: the flag before it (`--password`), else the list's."""
    if i:
        before = items[i - 1]
        if isinstance(before, str) and before.startswith("-") and len(before) < 64 and "=" not in before:
            return before
    return key


def _gather(node: object, path: Path_, key: str | None, out: list[Text]) -> None:
    if isinstance(node, str):
        out.append(Text(path, key, node))
    elif (number := _number(node)) is not None:
        out.append(Text(path, key, number))
    elif type(node) is dict or isinstance(node, Mapping):
        pair_name = node.get("name") if isinstance(node.get("value"), str) else None
        for raw_key, v in node.items():
            k = str(raw_key)
            child: Path_ = (*path, k)
            out.append(Text(child, None, k, True))
            _gather(v, child, pair_name if k == "value" and isinstance(pair_name, str) else k, out)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _gather(item, (*path, i), _item_key(node, i, key), out)


def keyed_strings(node: object) -> list[tuple[str | None, str]]:
    """`(key, value)` of every string `strings` yields, in the same order, without building paths: the
    secret scan of a rendered file reads these first and asks for paths only when something is found."""
    out: list[tuple[str | None, str]] = []
    _gather_keyed(node, None, out)
    return out


def _gather_keyed(node: object, key: str | None, out: list[tuple[str | None, str]]) -> None:
    if isinstance(node, str):
        out.append((key, node))
    elif (number := _number(node)) is not None:
        out.append((key, number))
    elif type(node) is dict or isinstance(node, Mapping):  # the exact check first: ABC checks cost more
        pair_name = node.get("name") if isinstance(node.get("value"), str) else None
        for raw_key, v in node.items():
            k = str(raw_key)
            out.append((None, k))
            _gather_keyed(v, pair_name if k == "value" and isinstance(pair_name, str) else k, out)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _gather_keyed(item, _item_key(node, i, key), out)


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
