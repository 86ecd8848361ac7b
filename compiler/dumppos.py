"""Where a path sits in YAML that `serialize.dump_yaml` wrote, without parsing the text back.

The policy engine reports a finding in a rendered file at a line and column. Composing the file again
to find them cost a fifth of a compile (a SageMaker template is ~350 lines). But the serialiser's
layout is fixed: block style, keys sorted, two-space indentation, sequences in a mapping not indented
(`key:` then `- item` at the key's column), a mapping in a sequence item starting after `- `, every
scalar on one line (width is unlimited and a string with a line break is left to the composer, below).
So the line of each node follows from the data alone, and only the width of a key is read from the text.

`positions` returns what `yamlnodes.to_python` would record for `path` and each of its ancestors (the
same key and value spans), or None when the text is not such a dump; the caller then composes it.
tests/test_dumppos.py holds it to the composer on every node of every golden file and of fuzzed data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mlopsc.compiler.source import Path_, Pos, PositionMap

_BREAK = re.compile("[\n\r\x85\u2028\u2029]")  # what YAML reads as a line break


class _NotADump(Exception):
    pass


class _Found(Exception):
    """The whole path is recorded: the rest of the file need not be laid out."""


def positions(text: str, body: object, path: Path_) -> PositionMap | None:
    """Key and value positions along `path` in `text`, the serialiser's dump of `body` (a header of
    `#` comment lines may come first)."""
    if not isinstance(body, dict | list) or not body:
        return None  # the composer places an empty or scalar document
    lines = text.split("\n")
    first = 0
    while first < len(lines) and lines[first].startswith("#"):
        first += 1
    keys: dict[Path_, Pos] = {}
    values: dict[Path_, Pos] = {}
    try:
        _walk(lines, body, first, 0, path, 0, keys, values)
    except _Found:
        pass
    except (_NotADump, IndexError):
        return None
    return PositionMap(keys=keys, values=values)


def _walk(
    lines: list[str],
    node: object,
    line: int,
    col: int,
    path: Path_,
    depth: int,
    keys: dict[Path_, Pos],
    values: dict[Path_, Pos],
) -> None:
    """Record the spans of `node` (laid out from (line, col), 0-based) and of its descendants along
    `path`. The nodes before the path's next step are only counted (`_height`)."""
    here = path[:depth]
    values[here] = Pos(line + 1, col + 1)
    if depth == len(path):
        raise _Found
    wanted = path[depth]
    if isinstance(node, Mapping) and node:
        if wanted not in node:
            return
        for key in sorted(node):
            _check_key(key)
            child = node[key]
            if key != wanted:
                line += 1 if _inline(child) else 1 + _height(child)
                continue
            text = lines[line]
            if not text.startswith(key, col) and text[col : col + 1] not in ("'", '"'):
                raise _NotADump  # the count went wrong, or this is not the serialiser's dump
            if col and text[col - 2 : col] not in ("  ", "- "):
                raise _NotADump
            width = _key_width(text, col)
            keys[(*here, key)] = Pos(line + 1, col + 1, col + width + 1)
            if _inline(child):
                values[(*here, key)] = _scalar_span(line, text, col + width + 2)
                raise _Found
            _walk(lines, child, line + 1, col + 2 if isinstance(child, Mapping) else col, path, depth + 1, keys, values)
            return
    if isinstance(node, list) and node:
        if not isinstance(wanted, int) or not 0 <= wanted < len(node):
            return
        for item in node[:wanted]:
            line += 1 if _inline(item) else _height(item)
        text = lines[line]
        if text[col : col + 2] != "- ":
            raise _NotADump
        item = node[wanted]
        if _inline(item):
            values[(*here, wanted)] = _scalar_span(line, text, col + 2)
            raise _Found
        _walk(lines, item, line, col + 2, path, depth + 1, keys, values)
        return
    raise _NotADump  # a scalar where a collection was laid out


def _height(node: object) -> int:
    """The lines a non-empty mapping or list takes below its key (a list item's: from its `- ` line).
    Plain loops with exact type checks: this counts most of a file for each finding."""
    lines = 0
    if type(node) is dict:
        for key, value in node.items():
            _check_key(key)
            kind = type(value)
            if (kind is dict or kind is list) and value:
                lines += 1 + _height(value)
            else:
                if kind is str and _BREAK.search(value) is not None:
                    raise _NotADump
                lines += 1
        return lines
    if type(node) is not list:
        raise _NotADump  # another mapping type: not what the serialiser dumped
    for item in node:
        kind = type(item)
        if (kind is dict or kind is list) and item:
            lines += _height(item)
        else:
            if kind is str and _BREAK.search(item) is not None:
                raise _NotADump
            lines += 1
    return lines


def _inline(node: object) -> bool:
    """Written on its key's (or dash's) line: a scalar, `{}` or `[]`."""
    if isinstance(node, str):
        if _has_break(node):
            raise _NotADump  # a quoted scalar over several lines: leave it to the composer
        return True
    return not isinstance(node, Mapping | list) or not node


def _check_key(key: object) -> None:
    """A key the serialiser writes on one line, before `: ` (a long key is a complex `? ` key)."""
    if not isinstance(key, str) or len(key) >= 128 or _has_break(key):
        raise _NotADump


def _has_break(text: str) -> bool:
    return _BREAK.search(text) is not None


def _key_width(text: str, col: int) -> int:
    """The width of the key written at `col`: plain up to `: ` (or a final `:`), or a quoted scalar."""
    quote = text[col]
    if quote in "'\"":
        end = col + 1
        while end < len(text):
            if text[end] == "\\" and quote == '"':
                end += 2
                continue
            if text[end] == quote:
                if quote == "'" and text[end + 1 : end + 2] == "'":
                    end += 2
                    continue
                return end + 1 - col
            end += 1
        raise _NotADump
    stop = text.find(": ", col)
    if stop < 0:
        if not text.endswith(":"):
            raise _NotADump
        stop = len(text) - 1
    return stop - col


def _scalar_span(line: int, text: str, col: int) -> Pos:
    """A one-line value from `col` to the end of its line (the serialiser writes no comments)."""
    if col >= len(text) or text[col - 2 : col] not in (": ", "- "):
        raise _NotADump
    return Pos(line + 1, col + 1, len(text) + 1)
