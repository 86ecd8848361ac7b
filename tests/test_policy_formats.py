"""Every output format carries policy findings: SARIF valid against the official schema, GitHub
annotations escaped and capped, and a production spec without approval or with a literal secret
failing line-accurately in text, json, sarif and github."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.formats.github import escape_data, escape_property, render_github
from mlopsc.compiler.formats.sarif import render_sarif
from tests.policy_helpers import PROD, line_of, mutate

Run = Callable[..., Result]
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
TOKEN = "glpat-" + "Xq7RtY2uI9oP4aS6dF8g"
NO_APPROVAL = PROD[: PROD.index("  approvals:\n")] + PROD[PROD.index("  model_card:\n") :]
SECRET = mutate("    LOG_LEVEL: warning\n", f"    LOG_LEVEL: warning\n    GITLAB_TOKEN: {TOKEN}\n")


def _validate(sarif: str) -> dict[str, object]:
    import jsonschema

    log = json.loads(sarif)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)
    return log  # type: ignore[no-any-return]


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    monkeypatch.chdir(tmp_path)

    def write(text: str) -> Path:
        path = tmp_path / "mlops.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


CASES = {
    "no-approval": (NO_APPROVAL, "APR001", "governance:"),
    "secret": (SECRET, "SEC001", "GITLAB_TOKEN:"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_production_spec_fails_line_accurately_in_every_format(
    case: str, fmt: str, spec: Callable[[str], Path], cli_run: Run
) -> None:
    text, code, fragment = CASES[case]
    spec(text)
    line = line_of(text, fragment)
    result = cli_run(["policy", "mlops.yaml", "--format", fmt], expect=1)
    out = result.stdout + result.stderr
    assert TOKEN not in out
    if fmt == "text":
        assert f"mlops.yaml:{line}:" in result.stderr and f"error[{code}]" in result.stderr
    elif fmt == "json":
        [d] = [d for d in json.loads(result.stdout) if d["code"] == code]
        assert (d["line"], d["severity"]) == (line, "error") and d["fingerprint"]
    elif fmt == "sarif":
        log = _validate(result.stdout)
        [r] = [r for r in log["runs"][0]["results"] if r["ruleId"] == code]  # type: ignore[index]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] == line
        assert r["level"] == "error"
    else:
        assert f"::error file=mlops.yaml,line={line}," in result.stdout and f"title={code} " in result.stdout
    # compile writes nothing
    cli_run(["compile", "mlops.yaml", "--out", "out"], expect=1)
    assert not Path("out").exists()


def test_sarif_rules_fingerprints_security_and_suppressions() -> None:
    diags = [
        Diagnostic("mlops.yaml", 3, 5, "SEC001", Severity.ERROR, "secret", "hint", ("a",), 9, fingerprint="sha256:00"),
        Diagnostic("mlops.yaml", 0, 0, "APR001", Severity.ERROR, "no approval", suppressed="ok (owner x, ticket T)"),
        Diagnostic("mlops.yaml", 4, 1, "E103", Severity.ERROR, "bad"),
        Diagnostic("mlops.yaml", 5, 1, "R006", Severity.WARNING, "prod"),
    ]
    first = render_sarif(diags)
    assert first == render_sarif(diags)  # deterministic, so fingerprints are stable across runs
    log = _validate(first)
    run = log["runs"][0]  # type: ignore[index]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    from mlopsc.policies import RULES

    assert {r.id for r in RULES} <= set(rules) and {"E103", "R006"} <= set(rules)
    assert rules["SEC001"]["properties"]["security-severity"] == "8.0"
    assert "security-severity" not in rules["APR001"].get("properties", {})
    assert rules["SEC001"]["helpUri"].endswith("policies.md#sec001")
    results = run["results"]
    assert results[0]["partialFingerprints"] == {"mlopsc/v1": "sha256:00"}
    assert "region" not in results[1]["locations"][0]["physicalLocation"]
    assert results[1]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "ok (owner x, ticket T)"}
    ]
    for result in results:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_github_escaping() -> None:
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("dir,a:b%\n") == "dir%2Ca%3Ab%25%0A"
    d = Diagnostic("a,b:c.yaml", 2, 3, "SEC001", Severity.ERROR, "x: 100%\nnext", "fix, now", end_col=7)
    first = render_github([d]).splitlines()[0]
    assert first == (
        "::error file=a%2Cb%3Ac.yaml,line=2,col=3,endColumn=7,title=SEC001 No secret values in mlops.yaml"
        "::x: 100%25%0Anext%0Ahint: fix, now"
    )


def test_github_errors_first_capped_at_ten_per_level_with_a_count() -> None:
    errors = [Diagnostic("f.yaml", i, 1, "PRD004", Severity.ERROR, f"e{i}") for i in range(1, 13)]
    warnings = [Diagnostic("f.yaml", 50, 1, "PRD011", Severity.WARNING, "w")]
    waived = [Diagnostic("f.yaml", 60, 1, "APR001", Severity.ERROR, "n", suppressed="because")]
    lines = render_github(warnings + waived + errors).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert [c.split("::")[1].split(" ")[0] for c in commands] == ["error"] * 10 + ["warning", "notice"]
    assert commands[9] == "::error::3 more errors not annotated (GitHub shows 10 per step): see the log"
    assert "(waived)" in commands[11] and "waived: because" in commands[11]
    assert sum(1 for line in lines if line.startswith("f.yaml:") and "[PRD004]" in line) == 12
