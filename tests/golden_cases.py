"""Golden cases: golden/<case>/mlops.yaml (options in its `# mlopsc-golden:` header) and the
expected tree under golden/<case>/expected/ (rendered files plus diagnostics.json)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from mlopsc.compiler.diagnostics import render_json, sort_diagnostics
from mlopsc.compiler.ir import Emitted, Options, RenderedFile
from mlopsc.compiler.passes import run
from mlopsc.compiler.writer import environment_indexes
from tests.fixed_clock import TODAY  # approvals expire against a fixed day, so goldens do not age

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "golden"
HEADER = "# mlopsc-golden:"


@dataclass(frozen=True)
class Case:
    name: str
    spec: Path
    options: Options

    @property
    def expected(self) -> Path:
        return self.spec.parent / "expected"


def cases() -> list[Case]:
    found = []
    for spec in sorted(GOLDEN.glob("*/mlops.yaml")):
        first = spec.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(HEADER), f"{spec}: first line must be `{HEADER} <options>`"
        args = shlex.split(first[len(HEADER) :].replace("(no options)", ""))
        targets = tuple(args[i + 1] for i, a in enumerate(args) if a == "--target")
        envs = tuple(args[i + 1] for i, a in enumerate(args) if a == "--env")
        found.append(Case(spec.parent.name, spec, Options(targets=targets, environments=envs, today=TODAY)))
    return found


def render(case: Case) -> tuple[dict[str, str], list[RenderedFile]]:
    """The expected tree's contents for a case: relative path -> text."""
    display = case.spec.relative_to(ROOT).as_posix()
    ir = run(display, case.spec.read_bytes(), case.options)
    files = list(ir.files) if isinstance(ir, Emitted) else []
    files += environment_indexes(files, None)
    tree = {f.path: f.content for f in files}
    diagnostics = json.loads(render_json(sort_diagnostics(ir.diagnostics)))
    tree["diagnostics.json"] = json.dumps(diagnostics, indent=2, sort_keys=True) + "\n"
    return tree, files


def read_tree(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_tree(folder: Path, tree: dict[str, str]) -> None:
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    for rel, text in tree.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
