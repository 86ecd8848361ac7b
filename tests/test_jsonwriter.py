"""compiler/jsonwriter.py writes exactly `json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlopsc.compiler.jsonwriter import dumps
from tests.golden_cases import cases, render
from tests.test_fuzz import FUZZ


def stdlib(body: Any) -> str:
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)


def test_every_golden_body() -> None:
    bodies = [f.body for case in cases() for f in render(case)[1] if isinstance(f.body, dict | list)]
    assert len(bodies) > 100
    for body in bodies:
        assert dumps(body) == stdlib(body)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(),
    st.sampled_from([0.0, -0.0, 1e16, 1e-7, 1.5e300, float("inf"), float("-inf"), float("nan")]),
    st.text(),
    st.sampled_from(['"', "\\", "\n", "\x00", "\x1f", "\x7f", "é", "\u2028", "\U0001f600", "</script>"]),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=30,
)


@FUZZ
@given(TREES)
def test_fuzzed_bodies(body: Any) -> None:
    assert dumps(body) == stdlib(body)


@pytest.mark.parametrize("body", [{1: "a"}, {None: 1}, {"k": (1, 2)}, [{"x"}], {"a": b"x"}])
def test_other_types_go_to_the_standard_library(body: Any) -> None:
    try:
        expected = stdlib(body)
    except TypeError:
        with pytest.raises(TypeError):
            dumps(body)
        return
    assert dumps(body) == expected
