"""Typed stacks (#19): each target's resolve returns a frozen dataclass of its own, which `Stack.typed` carries;
its `items()` is the (name, value) view `explain`, the IR printer and the policies read. Emit code reads the typed
attributes: no string-keyed component reads are left in the targets."""

from __future__ import annotations

import dataclasses
import re

import pytest

from mlopsc.compiler.ir import Emitted
from mlopsc.targets.azureml.stack import AzureMLStack
from mlopsc.targets.kserve.stack import KServeStack
from mlopsc.targets.sagemaker.stack import SageMakerStack
from mlopsc.targets.vertex.stack import VertexStack
from tests.golden_cases import ROOT, Case, cases, run

CASES = cases()
TYPED = {"kserve": KServeStack, "sagemaker": SageMakerStack, "vertex": VertexStack, "azureml": AzureMLStack}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_target_resolves_its_own_frozen_stack(case: Case) -> None:
    ir = run(case.spec.relative_to(ROOT).as_posix(), case.spec.read_bytes(), case.options)
    if not isinstance(ir, Emitted):
        pytest.skip("the case is refused before emit")
    assert ir.stacks, case.name
    for stack in ir.stacks:
        typed = stack.typed
        assert type(typed) is TYPED[stack.target]
        assert dataclasses.is_dataclass(typed)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(typed, dataclasses.fields(typed)[0].name, "changed")
        expected = [(f.name, getattr(typed, f.name)) for f in dataclasses.fields(typed)]
        assert list(stack.items()) == [(k, v) for k, v in expected if v is not None]
        assert all(isinstance(v, str) for _, v in stack.items())


def test_the_view_skips_absent_components_in_field_order() -> None:
    stack = VertexStack("p", "europe-west4", machine_type="n1-standard-2", capture_uri="bq://p.d")
    assert list(stack.items()) == [
        ("project", "p"),
        ("region", "europe-west4"),
        ("machine_type", "n1-standard-2"),
        ("capture_uri", "bq://p.d"),
    ]


STRING_KEYED = re.compile(r"""components\[|components\.get\(|["']\w+["'] (?:not )?in (?:stack\.)?components\b""")


def test_targets_read_no_component_by_string_key() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("targets", "compiler", "policies")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STRING_KEYED.search(line)
    ]
    assert found == []
