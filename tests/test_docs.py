"""The committed reference pages are exactly what the code generates."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlopsc.compiler.docs import pages

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = pages()


@pytest.mark.parametrize("rel", sorted(PAGES))
def test_generated_page_is_current(rel: str) -> None:
    path = DOCS / rel
    assert path.exists(), f"docs/{rel} is missing: run `python -m mlopsc.compiler.docs`"
    assert path.read_text(encoding="utf-8") == PAGES[rel], f"docs/{rel} is stale: run `python -m mlopsc.compiler.docs`"


def test_every_rule_and_target_is_documented() -> None:
    from mlopsc.compiler.rules import RULES
    from mlopsc.targets.registry import TARGETS

    for rule in RULES:
        assert f"## {rule.id}: {rule.title}" in PAGES["decision-rules.md"]
    for name in TARGETS:
        assert f"targets/{name}.md" in PAGES
