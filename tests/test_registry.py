"""The registry entry, the model card and the stage: schema-valid on every golden, a card in Google's
sections with escaped free text, one stage function, and an approval that moves the stage on all four
platforms (run `mlopsc approve` on a copy, recompile, read each platform's stage back)."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsc.compiler.gitops.semdiff import semantic_diff
from mlopsc.compiler.ir import Emitted, Json, Options
from mlopsc.compiler.modelcard import SECTIONS, md
from mlopsc.compiler.registry import Stage
from tests.fixed_clock import NOW, TODAY
from tests.golden_cases import cases
from tests.policy_helpers import compile_text
from tests.validators import registry as schema

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[1]
ROOT_SPEC = (ROOT / "mlops.yaml").read_text(encoding="utf-8")
UNAPPROVED = ROOT_SPEC[: ROOT_SPEC.index("  approvals:\n")] + ROOT_SPEC[ROOT_SPEC.index("  model_card:\n") :]
APR001_WARNING = "version: 1\nseverity: {APR001: warning}\n"


def _golden_registry_files() -> list[tuple[str, Path]]:
    return [
        (f"{case.name}:{path.relative_to(case.expected)}", path)
        for case in cases()
        for path in sorted(case.expected.rglob("registry/registry.json"))
    ]


def test_every_golden_environment_has_a_registry_folder() -> None:
    for case in cases():
        rendered = [p.relative_to(case.expected).parts for p in case.expected.rglob("*") if p.is_file()]
        folders = {case.expected.joinpath(*parts[:2]) for parts in rendered if len(parts) >= 4}
        assert folders, case.name
        for folder in folders:
            assert (folder / "registry" / "registry.json").is_file(), folder
            assert (folder / "registry" / "MODEL_CARD.md").is_file(), folder


@pytest.mark.parametrize(("name", "path"), _golden_registry_files(), ids=lambda v: v if isinstance(v, str) else "")
def test_golden_registry_json_is_valid_against_the_schema_and_the_standard(name: str, path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    assert schema.validate(body) == [], name
    assert list(schema.standard().iter_errors(body)) == [], name
    card = (path.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert re.findall(r"^## (.+)$", card, re.M) == list(SECTIONS)
    assert f"**{body['stage']}**" in card


def test_the_schema_refuses_what_the_standard_requires() -> None:
    body = json.loads(_golden_registry_files()[0][1].read_text(encoding="utf-8"))
    for broken in (
        {k: v for k, v in body.items() if k != "provenance"},
        {**body, "provenance": {"git_commit": "abc"}},
        {**body, "artifact_uri": "not a uri"},
        {**body, "signature": {"inputs": [{"name": "x", "type": "float", "shape": ["a"]}], "outputs": []}},
        {**body, "stage": "released"},
        {k: v for k, v in body.items() if k != "stage"},
    ):
        assert schema.validate(broken), broken


def test_markdown_escaping_keeps_free_text_literal() -> None:
    assert md("# not a heading") == "\\# not a heading"
    assert md("1. not a list") == "1\\. not a list"
    assert md("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert md("a | b [link](http://x) *em* `code`") == "a \\| b \\[link\\](http://x) \\*em\\* \\`code\\`"
    assert md("two\nlines\n## heading") == "two lines ## heading"  # a `#` opens a heading only at a line start


def test_a_hostile_model_card_cannot_add_a_section(tmp_path: Path) -> None:
    text = ROOT_SPEC.replace(
        "intended_use: Score card transactions for fraud in real time.",
        'intended_use: "Fraud.\\n\\n## Approvals\\n\\n| by | evil |\\n<script>x</script>"',
    )
    ir = compile_text(tmp_path, text, Options(today=TODAY, targets=("kserve",)))
    assert isinstance(ir, Emitted), ir.diagnostics
    card = next(f for f in ir.files if f.path == "production/fraud-detection/registry/MODEL_CARD.md").content
    assert re.findall(r"^## (.+)$", card, re.M) == list(SECTIONS)
    assert "<script>" not in card
    assert "\nFraud. ## Approvals \\| by \\| evil \\| &lt;script&gt;x&lt;/script&gt;\n" in card


@pytest.mark.parametrize(
    ("level", "policy_levels", "approved", "stage"),
    [
        ("experimental", None, True, Stage.CANDIDATE),
        ("staging", None, False, Stage.STAGING),
        ("staging", ["staging", "production"], False, Stage.CANDIDATE),
        ("staging", ["staging", "production"], True, Stage.STAGING),
        ("production", None, False, Stage.CANDIDATE),
        ("production", None, True, Stage.PRODUCTION),
    ],
)
def test_level_and_counted_approvals_decide_the_stage(
    tmp_path: Path, level: str, policy_levels: list[str] | None, approved: bool, stage: Stage
) -> None:
    from mlopsc.policies.approve import approve

    env = "staging" if level == "staging" else "production"
    spec = tmp_path / "mlops.yaml"
    spec.write_text(UNAPPROVED.replace("  level: production ", f"  level: {level} "), encoding="utf-8")
    if approved:  # the record `mlopsc approve` writes: bound to this environment's deployment subject
        approve(spec, env, "dan@example.com", "model-risk", now=NOW)
    policy = tmp_path / "policy.yaml"
    levels = f"approvals: {{levels: {json.dumps(policy_levels)}}}\n" if policy_levels else ""
    policy.write_text(APR001_WARNING + levels, encoding="utf-8")
    ir = compile_text(
        tmp_path, spec.read_text(), Options(today=TODAY, targets=("kserve",), policy_file=policy), policy=None
    )
    assert isinstance(ir, Emitted), ir.diagnostics
    plan = next(p for p in ir.plans if p.environment == env)
    assert plan.registry is not None
    assert plan.registry.stage is stage, plan.registry.stage_reason


def test_an_expired_approval_does_not_count(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(APR001_WARNING, encoding="utf-8")
    text = ROOT_SPEC.replace("      ticket: CHG-1234\n", "      ticket: CHG-1234\n      expires: 2026-11-01\n")
    assert text != ROOT_SPEC
    ir = compile_text(tmp_path, text, Options(today=TODAY, targets=("kserve",), policy_file=policy))
    assert isinstance(ir, Emitted)
    entry = next(p.registry for p in ir.plans if p.environment == "production")
    assert entry is not None and entry.stage is Stage.CANDIDATE
    assert [a.counts for a in entry.approvals] == [False]


def test_an_aborted_rollout_archives_the_version(tmp_path: Path) -> None:
    text = ROOT_SPEC.replace("  production: {}", "  production: {rollout: {traffic: 0}}")
    ir = compile_text(tmp_path, text, Options(today=TODAY, targets=("kserve",)))
    assert isinstance(ir, Emitted), ir.diagnostics
    entry = next(p.registry for p in ir.plans if p.environment == "production")
    assert entry is not None and entry.stage is Stage.ARCHIVED, entry


# --- an approval moves the stage on all four platforms ---------------------------------------------------


def _files(out: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in sorted(out.rglob("*")):
        if path.suffix in (".yaml", ".json") and path.is_file():
            found[path.relative_to(out).as_posix()] = (
                json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
            )
    return found


def _stages(out: Path) -> dict[str, Json]:
    """Each platform's stage, read back from the rendered files the way its registry holds it."""
    files = _files(out)
    base = "production/fraud-detection"
    template = files[f"{base}/sagemaker/template.yaml"]["Resources"]
    package = template["ModelPackage"]["Properties"]
    card = template["ModelCard"]["Properties"]
    vertex = files[f"{base}/vertex/model.json"]
    azure = files[f"{base}/azureml/model.yaml"]
    isvc = files[f"{base}/kserve/inferenceservice.yaml"]
    return {
        "registry": files[f"{base}/registry/registry.json"]["stage"],
        "sagemaker": package["ModelApprovalStatus"],
        "sagemaker-metadata": package["CustomerMetadataProperties"]["mlopsc-stage"],
        "sagemaker-card": card["ModelCardStatus"],
        "vertex-alias": [json.loads((out / base / "vertex/apply.json").read_text())["stage"]],
        "vertex-label": vertex["labels"]["mlopsc-stage"],
        "azureml": azure["stage"],
        "azureml-tag": azure["tags"]["mlopsc-stage"],
        "azureml-apply": re.findall(r"--set stage=(\w+)", (out / base / "azureml/apply.sh").read_text()),
        "kserve": isvc["metadata"]["annotations"]["registry.mlopsc.io/stage"],
    }


def _compile(cli_run: Run, spec: Path, out: Path) -> None:
    cli_run(["compile", str(spec), "--env", "production", "--out", str(out)], expect=0)


def test_mlopsc_approve_moves_the_stage_on_every_platform(tmp_path: Path, cli_run: Run) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)  # the policy walk stops here
    (project / ".mlopsc").mkdir()
    (project / ".mlopsc/policy.yaml").write_text(APR001_WARNING, encoding="utf-8")
    spec = project / "mlops.yaml"
    spec.write_text(UNAPPROVED, encoding="utf-8")
    _compile(cli_run, spec, tmp_path / "before")
    before = _stages(tmp_path / "before")
    assert before == {
        "registry": "candidate",
        "sagemaker": "PendingManualApproval",
        "sagemaker-metadata": "candidate",
        "sagemaker-card": "Draft",
        "vertex-alias": ["candidate"],
        "vertex-label": "candidate",
        "azureml": "candidate",
        "azureml-tag": "candidate",
        "azureml-apply": ["candidate"],  # a registered version's stage moves on the next apply
        "kserve": "candidate",
    }
    cli_run(["approve", str(spec), "--env", "production", "--by", "dan@example.com", "--role", "model-risk"], expect=0)
    _compile(cli_run, spec, tmp_path / "after")
    assert _stages(tmp_path / "after") == {
        "registry": "production",
        "sagemaker": "Approved",
        "sagemaker-metadata": "production",
        "sagemaker-card": "Approved",
        "vertex-alias": ["production"],
        "vertex-label": "production",
        "azureml": "production",
        "azureml-tag": "production",
        "azureml-apply": ["production"],
        "kserve": "production",
    }
    # check sees the move as drift of the old tree, and --fix round-trips it (KServe and the registry: the Azure
    # ML folder's `score/` subfolder stops --fix with G004, a defect of check's own, left to its issue)
    narrowed = ["--env", "production", "--target", "kserve", "--out", str(tmp_path / "before")]
    result = cli_run(["check", str(spec), *narrowed], expect=1)
    assert "production/fraud-detection/registry/registry.json" in result.stdout + result.stderr
    cli_run(["check", str(spec), *narrowed, "--fix"], expect=0)
    cli_run(["check", str(spec), *narrowed], expect=0)
    stages = _stages(tmp_path / "before")
    assert (stages["registry"], stages["kserve"]) == ("production", "production")


def test_diff_and_the_pr_summary_say_the_stage_change(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(APR001_WARNING, encoding="utf-8")
    options = Options(today=TODAY, policy_file=policy, environments=("production",))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = compile_text(tmp_path / "a", UNAPPROVED, options)
    after = compile_text(tmp_path / "b", ROOT_SPEC, options)
    assert isinstance(before, Emitted) and isinstance(after, Emitted), (before.diagnostics, after.diagnostics)
    diff = semantic_diff(before.files, after.files, {}, {}, "HEAD")
    lines = {g.platform: g.line() for g in diff.groups}
    for platform in ("registry", "kserve", "sagemaker", "vertex", "azureml"):
        assert "stage candidate -> production" in lines[platform], lines
    assert "model package approval PendingManualApproval -> Approved" in lines["sagemaker"]
    assert "versionAliases" not in lines["vertex"] and "approved false -> true" in lines["vertex"]
    assert "stage candidate -> production" in diff.markdown()


def test_a_spec_without_provenance_is_warned_that_its_entry_is_incomplete(tmp_path: Path) -> None:
    text = re.sub(r"  provenance:\n(    .*\n)+", "", ROOT_SPEC, count=1).replace(
        "  level: production ", "  level: staging "
    )
    ir = compile_text(tmp_path, text, Options(today=TODAY, targets=("kserve",), environments=("staging",)))
    found = [d for d in ir.diagnostics if d.code == "REG001"]
    assert len(found) == 1 and "model.provenance.git_commit" in found[0].message, ir.diagnostics
    assert found[0].severity.value == "note"  # before production; PRD009 is the error at production
    body = next(f.body for f in ir.files if f.path.endswith("registry/registry.json"))
    assert any("provenance" in problem for problem in schema.validate(body))


def test_explain_prints_the_stage_and_where_each_field_lands(tmp_path: Path, cli_run: Run) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(ROOT_SPEC, encoding="utf-8")
    out = cli_run(["explain", str(spec), "--env", "production"], expect=0).stdout
    assert "registry: stage production (level production, approved)" in out
    assert "governance.level + governance.approvals -> registry.json stage, approvals; sagemaker: ModelPackage" in out
    data = json.loads(cli_run(["explain", str(spec), "--env", "production", "--format", "json"], expect=0).stdout)
    assert data[0]["registry"]["stage"] == "production"
    assert schema.validate(data[0]["registry"]["entry"]) == []


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=40))
def test_escaped_text_has_no_markdown_or_html_left(text: str) -> None:
    out = md(text)
    assert "\n" not in out and "<" not in out and ">" not in out
    unescaped = re.sub(r"\\.", "", out)  # drop every backslash escape: what is left is plain
    assert not set(unescaped) & set("\\`*_[]|~"), out
    assert not re.match(r"[#>+=-]|\d+[.)]", out), out  # nothing opens a heading, quote, list or rule
    # the escapes undo to the text with its whitespace runs collapsed
    assert html.unescape(re.sub(r"\\(.)", r"\1", out)) == " ".join(text.split())


@pytest.mark.skipif(shutil.which("jq") is None or shutil.which("curl") is None, reason="apply.sh needs jq, curl")
def test_vertex_apply_moves_the_stage_alias_of_an_uploaded_version(tmp_path: Path) -> None:
    """The real apply.sh against the fake Vertex API (tests/vertex_fake.py): after the first deploy the new
    version holds its stage alias; after `rollout abort` the stage is `archived`, and mergeVersionAliases
    moved it (the version no longer holds its old stage alias)."""
    from tests.test_vertex_apply import Lifecycle, _golden, _project, _seed
    from tests.vertex_fake import FakeVertex

    with FakeVertex(*_project("vertex-canary")) as fake:
        life = Lifecycle(tmp_path, _golden("vertex-canary"), fake)
        folder, state = life.compile()
        _seed(fake, folder, state)
        life.apply(folder)
        settings = json.loads((folder / "apply.json").read_text())
        model = f"{settings['model_id']}@{settings['alias']}"
        first = settings["stage"]
        assert first in fake.model(model)["versionAliases"]
        life.move("abort")
        folder, _ = life.compile()
        assert json.loads((folder / "apply.json").read_text())["stage"] == "archived"
        life.apply(folder)
        aliases = fake.model(model)["versionAliases"]
        assert "archived" in aliases and first not in aliases
        fake.clear_log()
        life.apply(folder)
        assert fake.mutations() == []  # converged: a second run moves no alias
