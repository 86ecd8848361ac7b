"""Block YAML for JSON-like data, written directly: the bytes PyYAML's dumper writes, several times faster.

PyYAML's representer and serializer are Python even over libyaml's C emitter, and were a third of a
compile. Our dumps have one fixed layout (block style, sorted keys, two-space indentation, a sequence in a
mapping not indented, unlimited width), so the layout is written here line by line. What needs YAML's
judgement, how each scalar is written (plain, single- or double-quoted, escaped), is still asked of
PyYAML, once per distinct scalar and context (key or value) and remembered for the run, in one dump per
file of the scalars not seen yet.

Whatever this layout does not cover goes to PyYAML whole, so the bytes never differ: a string with a
line break (a quoted scalar over several lines is indented by context), a key of 128 characters or more
(PyYAML writes it as a complex `? ` key), a non-string key, a value of another type than str, int, float,
bool or None, an empty document, and a list or mapping object that appears twice (PyYAML writes an
anchor and an alias). tests/test_yamlwriter.py compares the two on every golden file and on fuzzed data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_BREAK = re.compile("[\n\r\x85\u2028\u2029]")  # what YAML reads as a line break
_MAX_KEY = 128  # PyYAML's longest simple key
_MAX_TEXT = 100_000  # far below the dump's width (1,000,000), where PyYAML would fold a line
_VALUES: dict[object, str] = {}  # (type, value) -> the scalar as written after `key: ` or `- `
_KEYS: dict[str, str] = {}  # key -> the key as written before `: `
_MAX_MEMO = 200_000

Dump = Callable[[object], str]  # PyYAML's dump with the serialiser's options


class _Fallback(Exception):
    pass


def write(body: object, dump: Dump) -> str:
    """`dump(body)`'s text, written here when the layout covers `body`, else by `dump` itself."""
    if not isinstance(body, dict | list) or not body:
        return dump(body)
    if len(_VALUES) > _MAX_MEMO or len(_KEYS) > _MAX_MEMO:
        _VALUES.clear()  # before gathering: what this body needs is then all gathered anew
        _KEYS.clear()
    values: dict[object, object] = {}
    keys: set[str] = set()
    try:
        _collect(body, values, keys, set())
    except _Fallback:
        return dump(body)
    _learn(values, keys, dump)
    out: list[str] = []
    if isinstance(body, dict):
        _mapping(body, 0, "", out)
    else:
        _sequence(body, 0, "", out)
    return "".join(out)


def _memo(value: object) -> object:
    kind = type(value)
    return (kind, repr(value)) if kind is float else (kind, value)  # -0.0 == 0.0, but they print apart


def _collect(node: object, values: dict[object, object], keys: set[str], seen: set[int]) -> None:
    """Check that the layout covers `node`; gather the scalars and keys PyYAML has not written yet."""
    if id(node) in seen:
        raise _Fallback  # PyYAML would write an anchor and an alias
    seen.add(id(node))
    if type(node) is dict:
        for key, value in node.items():
            if type(key) is not str or len(key) >= _MAX_KEY or _BREAK.search(key):
                raise _Fallback
            if key not in _KEYS:
                keys.add(key)
            _value(value, values, keys, seen)
    else:
        for item in node:  # type: ignore[attr-defined]
            _value(item, values, keys, seen)


def _value(value: object, values: dict[object, object], keys: set[str], seen: set[int]) -> None:
    kind = type(value)
    if kind is dict or kind is list:
        if value:
            _collect(value, values, keys, seen)
        elif id(value) in seen:
            raise _Fallback
        else:
            seen.add(id(value))
        return
    if isinstance(value, str) and kind is str:
        if len(value) > _MAX_TEXT or _BREAK.search(value):
            raise _Fallback
    elif kind is not int and kind is not float and kind is not bool and value is not None:
        raise _Fallback
    memo = _memo(value)
    if memo not in _VALUES:
        values[memo] = value


def _learn(values: dict[object, object], keys: set[str], dump: Dump) -> None:
    """Ask PyYAML how the new scalars are written: values as items of one list, keys of one mapping.
    (Never clears the memo: the layout also reads the scalars `_collect` found already known.)"""
    if values:
        memos = list(values)
        lines = dump([values[m] for m in memos]).split("\n")
        for memo, line in zip(memos, lines, strict=False):
            _VALUES[memo] = line[2:]  # after "- "
    if keys:
        ordered = sorted(keys)
        lines = dump(dict.fromkeys(ordered)).split("\n")
        for key, line in zip(ordered, lines, strict=False):
            _KEYS[key] = line[: -len(": null")]


def _scalar(value: object) -> str:
    if type(value) is dict:
        return "{}"
    if type(value) is list:
        return "[]"
    return _VALUES[_memo(value)]


def _block(value: object) -> bool:
    return (type(value) is dict or type(value) is list) and bool(value)


def _mapping(node: dict[str, object], indent: int, lead: str, out: list[str]) -> None:
    """Entries at column `indent`; the first line starts with `lead` (a parent's `- `)."""
    pad = " " * indent
    for index, key in enumerate(sorted(node)):
        start = lead if index == 0 else pad
        value = node[key]
        if not _block(value):
            out.append(f"{start}{_KEYS[key]}: {_scalar(value)}\n")
            continue
        out.append(f"{start}{_KEYS[key]}:\n")
        if type(value) is dict:
            _mapping(value, indent + 2, pad + "  ", out)
        else:
            _sequence(value, indent, pad, out)  # type: ignore[arg-type]


def _sequence(node: list[object], indent: int, lead: str, out: list[str]) -> None:
    """Items `- ` at column `indent`; the first line starts with `lead`."""
    pad = " " * indent
    for index, item in enumerate(node):
        start = lead if index == 0 else pad
        if not _block(item):
            out.append(f"{start}- {_scalar(item)}\n")
        elif type(item) is dict:
            _mapping(item, indent + 2, start + "- ", out)
        else:
            _sequence(item, indent + 2, start + "- ", out)  # type: ignore[arg-type]
