"""Helpers for the policy tests: a production spec that passes every rule, and a runner."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from tests.fixed_clock import TODAY  # approvals expire against a fixed day, so goldens do not age

ROOT = Path(__file__).resolve().parents[1]
PROD = (ROOT / "golden" / "production-canary" / "mlops.yaml").read_text(encoding="utf-8")
OPTIONS = Options(today=TODAY)


def compile_text(tmp: Path, text: str, options: Options = OPTIONS, policy: Path | None = None) -> Emitted:
    """Write the spec under `tmp` (so the policy walk finds only what the test puts there) and compile it."""
    spec = tmp / "mlops.yaml"
    spec.write_text(text, encoding="utf-8")
    if policy is not None:
        options = replace(options, policy_file=policy)
    ir = run(str(spec), spec.read_bytes(), options)
    assert isinstance(ir, Emitted), [d.message for d in ir.diagnostics]
    return ir


def findings(tmp: Path, text: str, code: str | None = None, **kwargs: object) -> list[Diagnostic]:
    ir = compile_text(tmp, text, **kwargs)  # type: ignore[arg-type]
    found = sorted(ir.diagnostics)
    return [d for d in found if code is None or d.code == code]


def mutate(old: str, new: str, text: str = PROD) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    """1-based line where the only occurrence of `fragment` starts (it may span lines)."""
    assert text.count(fragment) == 1, fragment
    return text[: text.index(fragment)].count("\n") + 1 + (1 if fragment.startswith("\n") else 0)
