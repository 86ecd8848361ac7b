"""compiler/dumppos.py against the composer: the same key and value spans for every node it answers for."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlopsc.compiler.dumppos import positions
from mlopsc.compiler.serialize import dump_yaml
from mlopsc.compiler.source import Path_, PositionMap
from mlopsc.compiler.yamlnodes import compose, to_python
from tests.golden_cases import cases, render
from tests.test_fuzz import FUZZ


def _paths(node: object, path: Path_ = ()) -> list[Path_]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*path, index))
    return out


def _agree(text: str, body: Any, composed: PositionMap, paths: list[Path_]) -> int:
    answered = 0
    for path in paths:
        found = positions(text, body, path)
        if found is None:
            continue
        answered += 1
        for end in range(len(path) + 1):
            prefix = path[:end]
            assert found.values.get(prefix) == composed.values.get(prefix), (path, prefix, "value")
            if prefix:
                assert found.keys.get(prefix) == composed.keys.get(prefix), (path, prefix, "key")
    return answered


def _composed(text: str) -> PositionMap:
    node = compose(text)
    assert node is not None
    return to_python(node)[1]


GOLDEN_FILES = [
    (f"{case.name}/{f.path}", f.content, f.body)
    for case in cases()
    for f in render(case)[1]
    if f.path.endswith(".yaml") and isinstance(f.body, dict | list)
]


@pytest.mark.parametrize(("name", "text", "body"), GOLDEN_FILES, ids=[g[0] for g in GOLDEN_FILES])
def test_every_node_of_every_golden_yaml_file(name: str, text: str, body: Any) -> None:
    paths = _paths(body)
    answered = _agree(text, body, _composed(text), paths)
    if not any("\n" in s for s in _strings(body)):
        assert answered == len(paths), "a plain dump must be answered without composing"


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (k, *_strings(v))]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


KEYS = st.sampled_from(
    ["a", "b", "on", "yes", "null", "x y", "k: v", "- z", "'q'", '"d"', "#c", "é", "", "1", "~", "k" * 130, "a\nb"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["", "true", "0x10", "1e3", "null", "a: b", "- x", "'", '"', "#", "x\ny", "\t", "é", "2026-01-01"]),
)
BODIES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=25,
)


@FUZZ
@given(st.one_of(st.dictionaries(KEYS, BODIES, min_size=1, max_size=5), st.lists(BODIES, min_size=1, max_size=5)))
def test_fuzzed_bodies(body: Any) -> None:
    text = "# header\n" + dump_yaml(body)
    _agree(text, body, _composed(text), _paths(body))


def test_not_a_dump_is_left_to_the_composer() -> None:
    body = {"a": {"b": 1}}
    assert positions("a:\n  b: 1\n", body, ("a", "b")) is not None
    assert positions("a: {b: 1}\n", body, ("a", "b")) is None
    assert positions("a:\n    b: 1\n", body, ("a", "b")) is None
    assert positions("{}", {}, ()) is None
