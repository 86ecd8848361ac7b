"""YAML -> plain Python values plus a position for every node, on PyYAML's C composer.

Why not ruamel.yaml here: this is the pre-commit hot path, and composing with libyaml is
about 20x faster than ruamel's round-trip loader while still giving line and column for
every node. ruamel.yaml is used where a file is *edited* (``approve``, ``rollout next``).

Only the YAML 1.1 core of a data file is accepted: maps, sequences, strings, numbers,
booleans, null and timestamps (kept as their text). Any other tag, duplicate keys, several
documents, and documents that expand past fixed limits (alias bombs, deep nesting) are
errors with a position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml

from mlopsc.compiler.source import Path_, Pos, PositionMap

try:  # libyaml ships in PyYAML's wheels; the pure loader gives the same result, slower.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 200_000  # after alias expansion: a billion-laughs document stops here
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}


class YamlFloat(float):
    """A float that remembers how it was written, so ``version: 1.10`` stays "1.10"."""

    raw: str

    def __new__(cls, value: float, raw: str) -> YamlFloat:
        obj = super().__new__(cls, value)
        obj.raw = raw
        return obj


# The longest number literal read as a number: every number of a spec fits in far fewer characters, and
# a 20,000-digit hexadecimal int would later fail to print (Python's 4,300-digit str() limit).
MAX_NUMBER_CHARS = 64


class HugeNumber(str):
    """A number literal too long to be one (more than MAX_NUMBER_CHARS characters, or a float literal
    beyond float range): kept as its text, so validation reports it at its position (E103) as what it is."""

    __slots__ = ()

    def describe(self) -> str:
        digits = sum(c.isalnum() for c in self)
        return f"a number literal of {digits:,} characters (at most {MAX_NUMBER_CHARS} are read as a number)"


@dataclass(frozen=True)
class YamlProblem(Exception):
    code: str
    message: str
    pos: Pos
    hint: str = ""


_TAGS: dict[tuple[str, object], str] = {}  # (scalar text, implicit) -> its resolved tag
_TAGS_MAX = 100_000


class MemoisedResolver:
    """Scalar tag resolution memoised across documents, for PyYAML's loaders and dumpers alike.

    libyaml asks the Python resolver which tag each scalar's text reads as (up to a dozen regular
    expressions per scalar), when composing and when emitting; with no path resolvers registered the
    answer depends only on the text and the `implicit` flags, and one memo serves both directions.
    Put it first among the bases: `class X(MemoisedResolver, yaml.CSafeLoader)`.
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[misc]
        key = (value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            if len(_TAGS) >= _TAGS_MAX:
                _TAGS.clear()
            tag = _TAGS[key] = super().resolve(kind, value, implicit)  # type: ignore[misc]
        return tag


class _MemoLoader(MemoisedResolver, _Loader):
    """The safe loader with memoised tag resolution (the policy engine composes rendered files whose
    scalars repeat across files and specs)."""


MemoLoader = _MemoLoader  # for other composers (the redaction point reads sources as node graphs)


def compose(text: str) -> yaml.Node | None:
    """Compose exactly one document; raise YamlProblem for syntax errors and extra documents."""
    loader = _MemoLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "expected a single document" in f"{exc.context} {exc.problem}":
            raise YamlProblem(
                "E006",
                "the file holds several YAML documents; mlops.yaml is one document",
                _pos(mark),
                "put each model in its own mlops.yaml, or remove the `---` separator",
            ) from None
        raise syntax_problem(exc, text) from None
    except yaml.MarkedYAMLError as exc:
        raise syntax_problem(exc, text) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (control characters, U+FFFE...)
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise YamlProblem(
            "E003",
            f"not valid YAML: the character U+{char:04X} is not allowed (control characters are not text)",
            Pos(line, col),
            "remove it, or write it as an escape inside double quotes",
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem("E003", f"not valid YAML: {exc}", Pos(1, 1)) from None
    finally:
        loader.dispose()
    return node


def to_python(root: yaml.Node) -> tuple[object, PositionMap]:
    """Convert a composed node tree to plain values, recording where each path is written."""
    keys: dict[Path_, Pos] = {}
    values: dict[Path_, Pos] = {}
    budget = [MAX_NODES]

    def convert(node: yaml.Node, path: Path_, depth: int) -> object:
        budget[0] -= 1
        if budget[0] < 0:
            raise YamlProblem(
                "E008",
                f"the document expands to more than {MAX_NODES} nodes (aliases that repeat aliases?)",
                _pos(node.start_mark),
                "write the values out; anchors and aliases are for small repeats",
            )
        if depth > MAX_DEPTH:
            raise YamlProblem("E008", f"the document nests deeper than {MAX_DEPTH} levels", _pos(node.start_mark))
        values.setdefault(path, _span(node))
        if isinstance(node, yaml.MappingNode):
            if node.tag not in (_TAG + "map",):
                raise _bad_tag(node)
            out: dict[str, object] = {}
            seen: dict[str, Pos] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _TAG + "merge":
                    raise YamlProblem(
                        "E007", "merge keys (`<<`) are not supported", _pos(key_node.start_mark), "write the keys out"
                    )
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                    raise YamlProblem("E003", "mapping keys must be plain strings", _pos(key_node.start_mark))
                key = str(key_node.value)
                key_pos = _span(key_node)
                if key in seen:
                    first = seen[key]
                    raise YamlProblem(
                        "E004",
                        f"duplicate key `{key}` (first written at line {first.line})",
                        key_pos,
                        "YAML keeps only one of them silently; remove or rename one",
                    )
                seen[key] = key_pos
                child: Path_ = (*path, key)
                keys[child] = key_pos
                out[key] = convert(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise _bad_tag(node)
            return [convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node)

    return convert(root, (), 0), PositionMap(keys=keys, values=values)


def _scalar(node: yaml.ScalarNode) -> object:
    tag, raw = node.tag, str(node.value)
    if tag == _TAG + "str" or tag == _TAG + "timestamp":
        return raw
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return raw.lower() in ("true", "yes", "on", "y")
    if tag == _TAG + "int":
        if len(raw) > MAX_NUMBER_CHARS:
            return HugeNumber(raw)
        try:
            return int(raw.replace("_", ""), 0) if raw[:2].lower() in ("0x", "0o", "0b") else int(raw.replace("_", ""))
        except ValueError:
            return raw
    if tag == _TAG + "float":
        if len(raw) > MAX_NUMBER_CHARS:
            return HugeNumber(raw)
        try:
            value = float(raw.replace("_", ""))
        except ValueError:
            return raw
        if math.isinf(value) and "inf" not in raw.lower():
            return HugeNumber(raw)  # `1e999`: a finite literal too large for a float
        return YamlFloat(value, raw)
    raise _bad_tag(node)


def _bad_tag(node: yaml.Node) -> YamlProblem:
    return YamlProblem(
        "E007",
        f"YAML tag `{node.tag}` is not allowed in mlops.yaml",
        _pos(node.start_mark),
        "remove the tag: mlops.yaml holds plain maps, lists, strings and numbers",
    )


def _pos(mark: yaml.Mark | None) -> Pos:
    if mark is None:
        return Pos(1, 1)
    return Pos(mark.line + 1, mark.column + 1)


def _span(node: yaml.Node) -> Pos:
    start, end = node.start_mark, node.end_mark
    end_col = end.column + 1 if end.line == start.line and end.column > start.column else 0
    return Pos(start.line + 1, start.column + 1, end_col)


_OPENERS = {
    "while parsing a flow sequence": ("[", "]", "write the list as `- item` lines, or close it with `]`"),
    "while parsing a flow mapping": ("{", "}", "write the mapping as `key: value` lines, or close it with `}`"),
    "while scanning a quoted scalar": ("quote", "quote", "close the quoted text with the same quote"),
}


def syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    """A YAML syntax error in words a spec author acts on.

    A tab where indentation or a token is expected gets its own message (YAML indents with spaces only);
    an unclosed `[`, `{` or quote is reported at its opener, which the parser only names as context,
    with the place where it gave up in the message.
    """
    problem, context = exc.problem_mark, exc.context_mark
    if problem is not None and _char_at(text, problem) == "\t":
        return YamlProblem(
            "E003",
            "not valid YAML: a tab character; YAML indents with spaces only",
            _pos(problem),
            "replace the tab with spaces (your editor can insert spaces for the Tab key)",
        )
    opener = _OPENERS.get(exc.context or "")
    if opener is not None and context is not None and problem is not None:
        sign, closer, hint = opener
        found = f"{exc.problem} at line {problem.line + 1}, column {problem.column + 1}" if exc.problem else ""
        what = "the quoted text" if sign == "quote" else f"the `{sign}`"
        shut = "its closing quote" if closer == "quote" else f"`{closer}`"
        return YamlProblem(
            "E003", f"not valid YAML: {what} opened here is never closed with {shut} ({found})", _pos(context), hint
        )
    return YamlProblem("E003", _yaml_message(exc), _pos(problem or context))


def _char_at(text: str, mark: yaml.Mark) -> str:
    """The character a mark points at (libyaml's marks carry no buffer: read it from the text)."""
    lines = text.split("\n")
    if mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if mark.column < len(line) else ""


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "not valid YAML: " + (", ".join(parts) if parts else str(exc))
