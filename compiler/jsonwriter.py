"""Indented JSON, written directly: the bytes of `json.dumps(body, indent=2, sort_keys=True,
ensure_ascii=False)`, about twice as fast.

With `indent`, the standard library encodes in Python through nested generators. Our bodies are plain
dict/list/str/int/float/bool/None, so the layout is written here in one recursive function, and every
scalar is encoded by the library's own functions (`encode_basestring` in C for strings, `float.__repr__`
with its spelling of infinities and NaN, `int.__repr__`). Anything else (another type, a non-string key)
goes to `json.dumps` itself, errors included. tests/test_jsonwriter.py compares the two.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring


class _Fallback(Exception):
    pass


def dumps(body: object) -> str:
    out: list[str] = []
    try:
        _node(body, "\n", out)
    except _Fallback:
        return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)
    return "".join(out)


_FLOATS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def _node(node: object, newline: str, out: list[str]) -> None:
    """`newline` is a line break and the indentation of the node's own line. Exact types: a subclass
    (a str enum, a bool among ints) is the standard library's to spell."""
    kind = type(node)
    if kind is str and isinstance(node, str):
        out.append(encode_basestring(node))
    elif kind is dict and isinstance(node, dict):
        if not node:
            out.append("{}")
            return
        inner = newline + "  "
        if any(type(key) is not str for key in node):
            raise _Fallback  # json converts int, float, bool and None keys: leave that to it
        out.append("{")
        for index, key in enumerate(sorted(node)):
            out.append(("," if index else "") + inner + encode_basestring(key) + ": ")
            _node(node[key], inner, out)
        out.append(newline + "}")
    elif kind is list and isinstance(node, list):
        if not node:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[")
        for index, item in enumerate(node):
            out.append(("," if index else "") + inner)
            _node(item, inner, out)
        out.append(newline + "]")
    elif kind is int and isinstance(node, int):
        out.append(int.__repr__(node))
    elif kind is float and isinstance(node, float):
        if math.isnan(node):
            out.append("NaN")
        else:
            out.append(_FLOATS.get(node) or float.__repr__(node))
    elif node is True:
        out.append("true")
    elif node is False:
        out.append("false")
    elif node is None:
        out.append("null")
    else:
        raise _Fallback
