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
        return None
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
) -> int:
    """Lay out `node` starting at (line, col) (0-based); record the spans along `path`; return the line
    after it. A node off `path` is only counted (its lines), not recorded."""
    on_path = depth <= len(path)
    here = path[:depth]
    if isinstance(node, Mapping) and node:
        if on_path:
            values[here] = Pos(line + 1, col + 1)
            if depth == len(path):
                raise _Found
        wanted = path[depth] if depth < len(path) else None
        for key in sorted(node):
            if not isinstance(key, str) or _has_break(key):
                raise _NotADump
            text = lines[line]
            if len(text) <= col or text[col] == " " or (col and text[col - 2 : col] not in ("  ", "- ")):
                raise _NotADump
            width = _key_width(text, col)
            child = node[key]
            follow = on_path and wanted == key
            if follow:
                keys[(*here, key)] = Pos(line + 1, col + 1, col + width + 1)
            if _inline(child):
                if follow:
                    values[(*here, key)] = _scalar_span(line, text, col + width + 2)
                    raise _Found
                line += 1
            elif isinstance(child, Mapping):
                line = _walk(lines, child, line + 1, col + 2, path if follow else (), depth + 1, keys, values)
            else:
                line = _walk(lines, child, line + 1, col, path if follow else (), depth + 1, keys, values)
        return line
    if isinstance(node, list) and node:
        if on_path:
            values[here] = Pos(line + 1, col + 1)
            if depth == len(path):
                raise _Found
        wanted = path[depth] if depth < len(path) else None
        for index, item in enumerate(node):
            text = lines[line]
            if text[col : col + 2] != "- ":
                raise _NotADump
            follow = on_path and wanted == index
            if _inline(item):
                if follow:
                    values[(*here, index)] = _scalar_span(line, text, col + 2)
                    raise _Found
                line += 1
            else:
                line = _walk(lines, item, line, col + 2, path if follow else (), depth + 1, keys, values)
        return line
    raise _NotADump  # a scalar where a collection was laid out


def _inline(node: object) -> bool:
    """Written on its key's (or dash's) line: a scalar, `{}` or `[]`."""
    if isinstance(node, str):
        if _has_break(node):
            raise _NotADump  # a quoted scalar over several lines: leave it to the composer
        return True
    return not isinstance(node, Mapping | list) or not node


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
