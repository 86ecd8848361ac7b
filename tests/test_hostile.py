"""Hostile input beyond the corpus of tests/bad_inputs.py: a 100 MB file is refused from a stat, names
cannot leave --out or collide, every field with the wrong type is a positioned diagnostic, and values a
spec may write freely land in rendered files as inert strings (YAML, JSON, CloudFormation, PromQL)."""

from __future__ import annotations

import json
import re
import time
import tracemalloc
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from mlopsc.compiler.serialize import GENERATED_MARK
from mlopsc.compiler.source import Path_
from mlopsc.compiler.spec.patterns import ENVIRONMENT_NAME, NAME
from mlopsc.targets.kserve.monitoring import promql_string
from tests.bad_inputs import BASE
from tests.validators.rendered import problems

Run = Callable[..., Result]


@pytest.mark.parametrize("command", ["validate", "compile"])
def test_100_mb_file_is_refused_from_a_stat(
    command: str, tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open("mlops.yaml", "wb") as handle:  # sparse: 100 MB of zeros that take no disk
        handle.truncate(100 * 1024 * 1024)
    tracemalloc.start()
    started = time.monotonic()
    result = cli_run([command, "mlops.yaml", *(["--out", "out"] if command == "compile" else [])], expect=1)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "error[E010]" in result.stderr and "104,857,600 bytes" in result.stderr
    assert "Traceback" not in result.output
    assert elapsed < 5 and peak < 10 * 1024 * 1024, (elapsed, peak)  # never read whole
    assert not Path("out").exists()


def test_two_models_with_one_name_are_refused(tmp_path: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decision: names are never normalised (the patterns accept only what is already a folder name), so
    the only way two models meet in one folder is the same metadata.name: E115, and nothing is written."""
    monkeypatch.chdir(tmp_path)
    for team in ("a", "b"):
        (tmp_path / team).mkdir()
        (tmp_path / team / "mlops.yaml").write_text(BASE.replace("rps: 100", "rps: 120" if team == "b" else "rps: 100"))
    result = cli_run(["compile", ".", "--out", "out"], expect=1)
    assert "b/mlops.yaml:4:9: error[E115]" in result.stderr and "also defined by a/mlops.yaml" in result.stderr
    assert not Path("out").exists()


def _accepted_name(value: str) -> bool:
    ir = run("mlops.yaml", BASE.replace("name: fraud-model", f"name: {json.dumps(value)}").encode(), Options())
    return not any(d.is_error for d in ir.diagnostics)


_NEAR = st.one_of(
    st.from_regex(NAME),
    st.from_regex(NAME).map(str.upper),
    st.from_regex(NAME).map(lambda s: s + "\n"),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=42),
)


@settings(max_examples=60, deadline=None, database=None)
@given(_NEAR, _NEAR)
def test_accepted_names_are_folder_names_that_cannot_collide(first: str, second: str) -> None:
    """Whatever the model name and environment name checks accept is ASCII lowercase, stable under case
    folding and Unicode normalisation, and never `.`, `..`, `/`, or a control character: two distinct
    accepted names are two distinct folders on every file system (case-insensitive, NFD, NTFS)."""
    for value, accepted in ((first, _accepted_name(first)), (second, bool(ENVIRONMENT_NAME.match(second)))):
        if accepted:
            assert value.isascii() and value.isprintable() and "/" not in value and value not in (".", "..")
            assert value == value.casefold() == unicodedata.normalize("NFKC", value)
    if ENVIRONMENT_NAME.match(first) and ENVIRONMENT_NAME.match(second) and first != second:
        assert first.casefold() != second.casefold()


# --- every field with the wrong type -----------------------------------------------------------------


def _leaves(node: object, path: Path_ = ()) -> Iterator[tuple[Path_, object]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))


def _set(document: object, path: Path_, value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {k: (_set(v, rest, value) if k == head else v) for k, v in document.items()}
    assert isinstance(document, list)
    return [(_set(v, rest, value) if i == head else v) for i, v in enumerate(document)]


def _wrong(value: object) -> object:
    if isinstance(value, dict | str):
        return [1, 2]
    if isinstance(value, list):
        return "not a list"
    return {"nested": True}  # numbers, booleans


_BASE_DOC = yaml.safe_load(BASE)
_FIELDS = [p for p, _ in _leaves(_BASE_DOC) if p and isinstance(p[-1], str)]


@pytest.mark.parametrize("path", _FIELDS, ids=[".".join(map(str, p)) for p in _FIELDS])
def test_every_field_with_the_wrong_type_is_a_positioned_error(path: Path_) -> None:
    document = _set(_BASE_DOC, path, _wrong(_get(_BASE_DOC, path)))
    text = yaml.safe_dump(document, sort_keys=False)
    ir = run("mlops.yaml", text.encode(), Options())
    errors = [d for d in ir.diagnostics if d.is_error]
    assert errors, f"{path}: accepted a wrong type"
    assert all(re.fullmatch(r"E1\d\d", d.code) for d in errors), errors
    lines = _lines_of(text, path)
    assert any(d.line in lines for d in errors), (lines, errors)


def _get(document: object, path: Path_) -> object:
    for part in path:
        document = document[part]  # type: ignore[index]
    return document


def _lines_of(text: str, path: Path_) -> set[int]:
    """The lines of the field's key and of its value (a block value starts on the next line)."""
    from mlopsc.compiler.yamlnodes import compose, to_python

    node = compose(text)
    assert node is not None
    positions = to_python(node)[1]
    return {pos.line for pos in (positions.key(path), positions.value(path)) if pos is not None}


# --- free text lands inert ---------------------------------------------------------------------------

HOSTILE = (
    '{"Fn::Sub": "${AWS::AccountId}"}',
    "${AWS::Region} and ${env:HOME} and $(rm -rf /) and `id`",
    'x"} or vector(1) # ',
    "line1\nkind: Secret\nmetadata: {name: pwned}",
    '{{ $labels.instance }} {{ template "x" }}',
    "&anchor *alias !!python/object:os.system [x] --- ...",
    "a' ; DROP TABLE models; --",
)


def _hostile_spec(values: tuple[str, ...]) -> str:
    env = "".join(f"    V{i}: {json.dumps(v)}\n" for i, v in enumerate(values))
    return BASE.replace("    TOKEN: {secret: api-token}\n", "    TOKEN: {secret: api-token}\n" + env)


def _without_header(content: str) -> str:
    """The file past its generated header line (JSON files carry none: their header is the sidecar)."""
    first, _, rest = content.partition("\n")
    return rest if GENERATED_MARK in first else content


def _parsed(content: str, name: str) -> object:
    if name.endswith(".json"):
        return json.loads(content)
    if name.endswith((".yaml", ".yml")):
        return yaml.safe_load(content)
    return content


def _substitute(node: object, values: tuple[str, ...], marks: tuple[str, ...]) -> object:
    if isinstance(node, dict):
        return {_substitute(k, values, marks): _substitute(v, values, marks) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, values, marks) for v in node]
    if isinstance(node, str):
        for value, mark in zip(values, marks, strict=True):
            node = node.replace(value, mark)
    return node


def test_free_text_values_land_as_inert_strings() -> None:
    """Rendered with hostile values and with plain markers, every file parses to the same structure once
    the values are swapped for the markers: no value added a key, a document, an intrinsic or a label
    matcher. Every rendered file also still passes its vendor validator."""
    marks = tuple(f"MARK{i}" for i in range(len(HOSTILE)))
    hostile = run("mlops.yaml", _hostile_spec(HOSTILE).encode(), Options())
    plain = run("mlops.yaml", _hostile_spec(marks).encode(), Options())
    assert isinstance(hostile, Emitted) and isinstance(plain, Emitted), [str(d) for d in hostile.diagnostics]
    assert [f.path for f in hostile.files] == [f.path for f in plain.files]
    for bad, good in zip(hostile.files, plain.files, strict=True):
        ours = _substitute(_parsed(_without_header(bad.content), bad.path), HOSTILE, marks)
        theirs = _parsed(_without_header(good.content), good.path)
        assert ours == theirs, bad.path
        assert problems(bad) == [], bad.path
    assert any(HOSTILE[1] in f.content or json.dumps(HOSTILE[1])[1:-1] in f.content for f in hostile.files)


# --- PromQL --------------------------------------------------------------------------------------------

_MATCHER = re.compile(r'(\w+)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"')


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), literal)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=30))
def test_promql_string_literal_holds_exactly_the_value(value: str) -> None:
    literal = promql_string(value)
    match = re.fullmatch(r'"((?:[^"\\\n]|\\.)*)"', literal)
    assert match, literal  # one literal: no quote ends it early, no raw newline
    assert _unquote(match.group(1)) == value


def test_drift_features_and_quality_metric_names_never_reach_promql() -> None:
    # KServe exports no drift or quality series: those spec values render no expression, and say so (KSV030)
    spec = BASE.replace("inputs: [{name: amount, type: double}]", "inputs: [{name: a.mount, type: double}]")
    spec = spec.replace(
        "  drift: {features: [amount]}", "  drift: {features: [a.mount]}\n  quality: {metric: ndcg@10, baseline: 0.8}"
    )
    ir = run("mlops.yaml", spec.encode(), Options())
    assert isinstance(ir, Emitted), [str(d) for d in ir.diagnostics]
    assert sorted(".".join(map(str, d.path)) for d in ir.diagnostics if d.code == "KSV030") == [
        "monitoring.drift",
        "monitoring.quality",
    ]
    rule = next(f for f in ir.files if f.path.endswith("prometheusrule.yaml"))
    body = yaml.safe_load(rule.content)
    exprs = [r["expr"] for g in body["spec"]["groups"] for r in g["rules"]]
    assert exprs and not any("a.mount" in e or "ndcg@10" in e or "mlopsc_" in e for e in exprs)
    assert all(matcher[0] != "feature" for e in exprs for matcher in _MATCHER.findall(e))
    assert problems(rule) == []


_K8S_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@pytest.mark.parametrize("team", ['{"Fn::Sub": "x"}', "Équipe données", "-risk-", "___", "a" * 80 + "-"])
def test_free_text_team_becomes_a_valid_label(team: str) -> None:
    spec = BASE.replace("  owner: risk@example.com\n", f"  owner: risk@example.com\n  team: {json.dumps(team)}\n")
    ir = run("mlops.yaml", spec.encode(), Options())
    assert isinstance(ir, Emitted), [str(d) for d in ir.diagnostics]
    for f in ir.files:
        labels = (f.body or {}).get("metadata", {}).get("labels", {}) if isinstance(f.body, dict) else {}
        assert all(_K8S_LABEL_VALUE.match(str(v)) and len(str(v)) <= 63 for v in labels.values()), (f.path, labels)
        assert problems(f) == [], f.path
