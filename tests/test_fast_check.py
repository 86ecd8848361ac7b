"""The generated fast checker (compiler/spec/fast.py) against the pydantic model it is generated from.

On every document: when the fast checker accepts, pydantic accepts and builds the same typed spec
(same classes, same values, same `written` fields); when pydantic rejects, the fast checker rejects.
The fast checker may leave a valid document to pydantic only in the forms checks.py names (non-ASCII
text against a pattern, dates in other ISO forms, huge or non-finite numbers).
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from pydantic import ValidationError

from mlopsc.compiler.passes.parse import parse
from mlopsc.compiler.passes.validate import _adopt
from mlopsc.compiler.spec import codegen, fast, model, typed
from mlopsc.compiler.spec.frozen import Frozen
from mlopsc.compiler.spec.merge import deep_merge
from mlopsc.compiler.yamlnodes import YamlFloat
from tests.bad_inputs import BASE, CASES
from tests.golden_cases import cases
from tests.test_fuzz import FUZZ, mutated, valid_specs

ROOT = Path(__file__).resolve().parents[1]


def test_generated_modules_are_current() -> None:
    for path, text in codegen.outputs().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run `python -m mlopsc.compiler.spec.codegen`"
        )


def merged_documents(raw: bytes) -> list[object]:
    """Each environment's merged document, as the validate pass builds it."""
    document = parse("mlops.yaml", raw).document
    if not isinstance(document, Mapping):
        return [document]
    base = dict(document)
    environments = base.pop("environments", None)
    if not isinstance(environments, Mapping) or not environments:
        return [base]
    return [deep_merge(base, o) for o in environments.values() if isinstance(o, Mapping)] or [base]


def same(fast_value: object, slow_value: object, where: str = "spec") -> None:
    """Equal values of exactly the same types, `written` included."""
    if isinstance(slow_value, datetime):
        assert isinstance(fast_value, datetime), where
        assert (fast_value, fast_value.utcoffset()) == (slow_value, slow_value.utcoffset()), where
        return
    assert type(fast_value) is type(slow_value), (where, fast_value, slow_value)
    if isinstance(slow_value, Frozen):
        for name in (*slow_value.field_names, "written"):
            same(getattr(fast_value, name), getattr(slow_value, name), f"{where}.{name}")
    elif isinstance(slow_value, list):
        assert isinstance(fast_value, list) and len(fast_value) == len(slow_value), where
        for i, (a, b) in enumerate(zip(fast_value, slow_value, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(slow_value, dict):
        assert isinstance(fast_value, dict) and list(fast_value) == list(slow_value), where
        for key in slow_value:
            same(fast_value[key], slow_value[key], f"{where}.{key}")
    else:
        assert fast_value == slow_value, where


def agree(document: object, must_accept: bool = True) -> bool:
    """Assert the two checkers agree on ``document``; True when it is valid."""
    quick = fast.check(document)
    try:
        slow = _adopt(model.Spec.model_validate(document))
    except ValidationError:
        assert quick is None, "the fast checker accepts what pydantic rejects"
        return False
    if quick is None:
        assert not must_accept, "the fast checker leaves a plain valid document to pydantic"
        return True
    same(quick, slow)
    return True


def test_root_spec_and_every_golden_spec_agree() -> None:
    specs = [ROOT / "mlops.yaml", *(case.spec for case in cases())]
    valid = 0
    for path in specs:
        for document in merged_documents(path.read_bytes()):
            valid += agree(document)
    assert valid >= len(specs)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_corpus_agrees(case: Any) -> None:
    for document in merged_documents(case.raw):
        agree(document)


def _base() -> dict[str, Any]:
    document = merged_documents(BASE.encode())[0]
    assert isinstance(document, dict)
    return document


def _set(document: dict[str, Any], path: tuple[str, ...], value: object) -> dict[str, Any]:
    out = dict(document)
    if len(path) == 1:
        out[path[0]] = value
    else:
        out[path[0]] = _set(dict(out.get(path[0], {})), path[1:], value)
    return out


EDGES: list[tuple[tuple[str, ...], object]] = [
    (("metadata", "name"), "fraud-detection\n"),  # `$` in a pattern is the end of the text
    (("metadata", "name"), "fraud-détection"),
    (("metadata", "team"), "équipe"),  # unpatterned text: any string
    (("serving", "resources"), {"cpu": 2, "memory_gb": 4}),  # ints as floats (plain)
    (("serving", "resources"), {"cpu": True, "memory_gb": 4}),
    (("serving", "resources"), {"cpu": YamlFloat(0.5, "0.5"), "memory_gb": 4, "gpu": 1.0}),
    (("serving", "resources"), {"cpu": float("inf"), "memory_gb": 4}),
    (("serving", "resources"), {"cpu": 2**80, "memory_gb": 4}),
    (("serving", "replicas"), {"min": 0, "max": 2**70}),
    (("serving", "replicas"), {"min": False, "max": 3}),
    (("model", "framework", "version"), YamlFloat(1.7, "1.70")),  # plain
    (("model", "framework", "version"), 2),  # plain
    (("model", "framework", "version"), ""),
    (("model", "version"), YamlFloat(2.1, "2.1")),
    (("rollout", "steps"), [5, 100]),  # plain
    (("rollout", "steps"), (5, 100)),
    (("rollout", "strategy"), "Canary"),
    (("rollout", "traffic"), 101),
    (("serving", "env"), {"A": "x", "B": {"secret": "feature-store-token"}, "C": 3}),
    (("retraining",), {"schedule": "0 3 * * 1", "pipeline": {"image": "r/i:1", "command": ["x"]}}),  # plain
    (("retraining",), {"schedule": "61 3 * * 1", "pipeline": {"image": "r/i:1", "command": ["x"]}}),
]

APPROVAL = {
    "environment": "production",
    "by": "a@example.com",
    "role": "risk",
    "at": "2026-11-20T10:00:00Z",
    "expires": "2026-12-01",
    "digest": "sha256:" + "0" * 64,
}
MOMENTS = [
    "2026-11-20T10:00:00Z",
    "2026-11-20T10:00:00.123456+05:30",
    "2026-11-20T10:00:00",  # naive: rejected by both
    "2026-11-20 10:00:00+00:00",  # yaml.safe_dump's form
    "2026-11-20T10:00:00+0000",  # a form left to pydantic
    "2026-11-20T24:00:00Z",
    "2026-02-30T10:00:00Z",
    1700000000,
    datetime(2026, 11, 20),
]
DAYS = ["2026-12-01", "2026-02-30", "2026-12-01T00:00:00", 20261201, date(2026, 12, 1)]


@pytest.mark.parametrize(("path", "value"), EDGES, ids=[f"{'.'.join(p)}={v!r}" for p, v in EDGES])
def test_edge_values_agree(path: tuple[str, ...], value: object) -> None:
    agree(_set(_base(), path, value), must_accept=False)


@pytest.mark.parametrize("value", MOMENTS + DAYS, ids=repr)
def test_approval_times_agree(value: object) -> None:
    field = "at" if value in MOMENTS else "expires"
    document = _set(_base(), ("governance", "approvals"), [{**APPROVAL, field: value}])
    agree(document, must_accept=False)


def test_plain_edge_values_are_accepted_fast() -> None:
    """The cautious forms aside, a valid document never needs pydantic."""
    plain = [EDGES[i] for i in (3, 10, 11, 14, 19)]
    for path, value in plain:
        assert fast.check(_set(_base(), path, value)) is not None, (path, value)
    for at in (MOMENTS[0], MOMENTS[1], MOMENTS[3]):
        approval = _set(_base(), ("governance", "approvals"), [{**APPROVAL, "at": at}])
        assert fast.check(approval) is not None, at


def test_typed_classes_are_frozen_values() -> None:
    spec = fast.check(_base())
    assert isinstance(spec, typed.Spec)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.metadata.name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del spec.metadata.name  # type: ignore[misc]
    again = fast.check(_base())
    assert again == spec and again is not spec and hash(again.model.framework) == hash(spec.model.framework)
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert pickle.loads(pickle.dumps(spec)).serving.written == spec.serving.written
    assert spec != _set(_base(), ("metadata", "name"), "other-model")
    assert "name='fraud-model'" in repr(spec.metadata)
    assert typed.Mirrors().kserve is None and typed.Metadata(name="a", owner="b").labels == {}
    assert typed.Artifact(uri="s3://a/b").mirrors is not typed.Artifact(uri="s3://a/b").mirrors


@FUZZ
@given(valid_specs())
def test_generated_valid_specs_agree(spec: dict[str, Any]) -> None:
    raw = yaml.safe_dump(spec, sort_keys=False).encode()
    for document in merged_documents(raw):
        assert agree(document)


@FUZZ
@given(mutated())
def test_mutated_specs_agree(raw: bytes) -> None:
    for document in merged_documents(raw):
        agree(document, must_accept=False)
