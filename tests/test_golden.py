"""Every golden case renders byte for byte as committed, and every rendered file passes its
platform's own validator. Rebuild with `pytest tests/test_golden.py --snapshot-update`, then read
the diff of golden/ line by line before committing it."""

from __future__ import annotations

import json

import pytest

from tests.golden_cases import Case, cases, read_tree, render, write_tree
from tests.validators.rendered import check_all

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_tree(case: Case, request: pytest.FixtureRequest) -> None:
    tree, _ = render(case)
    if request.config.getoption("--snapshot-update"):
        write_tree(case.expected, tree)
    committed = read_tree(case.expected)
    assert sorted(committed) == sorted(tree), f"files differ for {case.name}: rebuild with --snapshot-update"
    for path, text in tree.items():
        assert committed[path] == text, f"{case.name}/{path} differs from the committed golden"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_files_pass_vendor_validators(case: Case) -> None:
    tree, files = render(case)
    errors = [d for d in json.loads(tree["diagnostics.json"]) if d["severity"] == "error"]
    assert not errors, f"{case.name} does not compile: {errors}"  # a golden is a spec that renders
    assert files, f"{case.name} rendered nothing"
    failures = check_all(files)
    assert not failures, failures


def test_enough_golden_cases() -> None:
    assert len(CASES) >= 8
