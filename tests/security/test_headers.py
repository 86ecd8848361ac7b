"""Headers: no byte of a path can end a comment; the header names the effective spec, so a comment edit or
another working folder changes no rendered byte (issue #18), and one environment's edit leaves the others'."""

from __future__ import annotations

import ast
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from mlopsc.compiler.ir import RenderedFile
from mlopsc.compiler.serialize import GENERATED_MARK
from tests.security.harness import render
from tests.security.specs import FULL

Run = Callable[..., Result]

HOSTILE_PATHS = [
    "a\nb",
    "a\rb",
    "a\r\nb",
    "a\x0bb",
    "a\x0cb",
    "a\x1cb",
    "a\x1db",
    "a\x1eb",
    "a\x85b",
    "a\u2028b",
    "a\u2029b",
    "a -->b",
    "a --!>b",
    "a\nkey: value",
    "a\n'''\nimport os\n'''",
    'a\n"""',
    "$(touch PWNED)",
    "`touch PWNED`",
    "a\\",
    "a\u202eb",  # right-to-left override
    "a\ufeffb",
]


def _check(file: RenderedFile) -> list[str]:
    """Problems of one rendered file: its header is one line of one comment, and the rest is intact."""
    text = file.content
    name = file.path.rsplit("/", 1)[-1]
    lines = text.split("\n")
    header = lines[1] if lines[0].startswith("#!") else lines[0]
    problems = []
    if name.endswith(".json"):
        return ["json body changed"] if json.loads(text) != file.body else []
    if GENERATED_MARK not in header or len(text.splitlines()) != len(lines) - (1 if text.endswith("\n") else 0):
        problems.append("header is not one line (some parser sees another line break)")
    if name.endswith(".yaml") and list(yaml.safe_load_all(text)) != [file.body]:
        problems.append("yaml body changed")
    if name.endswith(".md") and not (header.startswith("<!-- ") and header.endswith(" -->") and header.count(">") == 1):
        problems.append("markdown header comment is not closed exactly at the end of its line")
    if name.endswith(".py"):
        tree = ast.parse(text)
        if not isinstance(tree.body[0], ast.Expr):
            problems.append("python: the first statement is not the docstring")
    if name.endswith(".sh"):
        done = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, check=False)
        if done.returncode:
            problems.append(f"bash -n: {done.stderr}")
    if name == "GENERATED.txt" and len(header.splitlines()) != 1:
        problems.append("sidecar header is not one line")
    return problems


@pytest.mark.parametrize("folder", HOSTILE_PATHS, ids=[ascii(p) for p in HOSTILE_PATHS])
def test_hostile_path_stays_in_its_comment(folder: str) -> None:
    rendered = render(FULL, path=f"{folder}/mlops.yaml")
    assert rendered.errors == []
    assert {f.path: p for f in rendered.files if (p := _check(f))} == {}
    assert not any(folder in f.content for f in rendered.files)


def test_header_names_the_model_and_environment() -> None:
    rendered = render(FULL)
    heads = {
        f.content.split("\n")[1 if f.content.startswith("#!") else 0]
        for f in rendered.files
        if not f.path.endswith(".json")
    }
    assert all("from model fraud-detection, environment default (effective spec sha256 " in h for h in heads), heads


def _tree(text: str) -> dict[str, str]:
    return {f.path: f.content for f in render(text).files}


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: "# a new comment at the top\n" + t,
        lambda t: t.replace("  team: risk\n", "  team: risk   # the risk team\n"),
        lambda t: t.replace('version: "1.7"', "version: '1.7'"),
        lambda t: t.replace(
            "  slo: {p95_latency_ms: 150, error_rate: 0.01}", "  slo:\n    p95_latency_ms: 150\n    error_rate: 0.01"
        ),
        lambda t: t.replace("\n", "\r\n"),
    ],
    ids=["comment-line", "trailing-comment", "quote-style", "flow-to-block", "crlf"],
)
def test_an_edit_that_changes_no_value_changes_no_file(edit: Callable[[str], str]) -> None:
    edited = edit(FULL)
    assert edited != FULL
    assert _tree(edited) == _tree(FULL)


def test_one_environment_edit_leaves_the_other_environment() -> None:
    base = FULL + "environments:\n  staging: {}\n  production: {serving: {scale: {rps: 50}}}\n"
    changed = base.replace("production: {serving: {scale: {rps: 50}}}", "production: {serving: {scale: {rps: 60}}}")
    before, after = _tree(base), _tree(changed)
    assert before.keys() == after.keys()
    differing = {p.split("/", 1)[0] for p in before if before[p] != after[p]}
    assert differing == {"production"}


def test_another_working_folder_changes_no_byte(tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "team").mkdir(parents=True)
    (repo / "team" / "mlops.yaml").write_text(FULL, encoding="utf-8")
    monkeypatch.chdir(repo)
    cli_run(["compile", "team/mlops.yaml", "--out", str(tmp_path / "a")], expect=0)
    monkeypatch.chdir(repo / "team")
    cli_run(["compile", "mlops.yaml", "--out", str(tmp_path / "b")], expect=0)
    monkeypatch.chdir(tmp_path)
    cli_run(["compile", str(repo / "team" / "mlops.yaml"), "--out", str(tmp_path / "c")], expect=0)
    trees = [
        {p.relative_to(tmp_path / o).as_posix(): p.read_bytes() for p in (tmp_path / o).rglob("*") if p.is_file()}
        for o in "abc"
    ]
    assert trees[0] and trees[0] == trees[1] == trees[2]
