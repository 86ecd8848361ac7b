"""compiler/yamlwriter.py writes exactly PyYAML's bytes: on every golden file and on fuzzed data."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlopsc.compiler import yamlwriter
from mlopsc.compiler.serialize import _pyyaml_dump, dump_yaml
from tests.golden_cases import cases, render
from tests.test_fuzz import FUZZ

BODIES = [f.body for case in cases() for f in render(case)[1] if isinstance(f.body, dict | list)]


def test_golden_bodies_are_written_here_in_pyyaml_bytes() -> None:
    whole: list[object] = []

    def dump(body: object) -> str:
        whole.append(body)
        return _pyyaml_dump(body)

    written_here = 0
    for body in BODIES:
        whole.clear()
        assert yamlwriter.write(body, dump) == _pyyaml_dump(body)
        written_here += not any(b is body for b in whole)
    # Only the Grafana dashboards' ConfigMaps hold multi-line text (their JSON) and go to PyYAML whole.
    assert written_here >= len(BODIES) * 85 // 100, "most files must not need PyYAML's whole dump"


SPECIAL = [
    "",
    " ",
    "a b",
    " lead",
    "trail ",
    "true",
    "False",
    "yes",
    "on",
    "~",
    "null",
    "0",
    "0x1F",
    "0o17",
    "1_000",
    "1e3",
    ".5",
    "-.inf",
    ".NaN",
    "2026-11-23",
    "2026-11-23T10:00:00Z",
    "12:30",
    "a: b",
    "a #b",
    "#x",
    "- x",
    "-",
    "?",
    ":",
    "[a]",
    "{a}",
    "*a",
    "&a",
    "!t",
    "%p",
    "@x",
    "`x",
    "'q'",
    '"d"',
    "x'y",
    "é",
    "日本",
    "\t",
    "\x00",
    "\x7f",
    "\ufeff",
    "\U0001f600",
    "a\\b",
    "=",
    "<<",
    "x" * 130,
    "x\ny",
    "x\r",
    "\u2028",
]
KEYS = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=8))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.sampled_from([0.0, -0.0, 1e20, 1.5e-7, float("inf")]),
    st.sampled_from(SPECIAL),
    st.text(max_size=12),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=30,
)
ROOTS = st.one_of(st.dictionaries(KEYS, TREES, max_size=6), st.lists(TREES, max_size=6))


@FUZZ
@given(ROOTS)
def test_fuzzed_bodies_in_pyyaml_bytes(body: Any) -> None:
    assert dump_yaml(body) == _pyyaml_dump(body)


@FUZZ
@given(st.lists(ROOTS, min_size=2, max_size=4))
def test_scalars_remembered_across_files(bodies: list[Any]) -> None:
    for body in bodies:
        assert dump_yaml(body) == _pyyaml_dump(body)


def test_shared_objects_get_pyyaml_anchors() -> None:
    shared: dict[str, object] = {"a": 1}
    empty: list[object] = []
    for body in ({"x": shared, "y": shared}, {"x": empty, "y": empty}, [shared, [shared]]):
        text = dump_yaml(body)
        assert text == _pyyaml_dump(body) and "&id001" in text


@pytest.mark.parametrize("body", [{}, [], {"k": "x\ny"}, {"k" * 128: 1}, {1: "a"}, {"k": (1, 2)}])
def test_what_the_layout_does_not_cover_is_dumped_by_pyyaml(body: Any) -> None:
    try:
        expected = _pyyaml_dump(body)
    except Exception as exc:  # a tuple: the safe dumper refuses it, and so must the writer
        with pytest.raises(type(exc)):
            dump_yaml(body)
        return
    assert dump_yaml(body) == expected


def test_a_full_memo_is_cleared_before_a_file_never_during_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the 5,000-spec benchmark: clearing the memo between gathering a file's new scalars and
    writing it lost the ones already known (KeyError, an E900 for every spec after)."""
    monkeypatch.setattr(yamlwriter, "_MAX_MEMO", 5)
    bodies = [{"a": "x", "b": [1, 2.5, None]}, {"a": "x", "c": {"d": "y", "e": True}}, {"f": ["x", "y", "z", "w"]}]
    for _ in range(3):
        for body in bodies:
            assert dump_yaml(body) == _pyyaml_dump(body)
