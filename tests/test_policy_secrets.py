"""The secret rules on the generated token corpus and its look-alikes (tests/test_secret_scan.py)."""

from __future__ import annotations

import pytest

from mlopsc.compiler.ir import Options, RenderedFile, Unit
from mlopsc.compiler.source import PositionMap, SourceFile
from mlopsc.policies.context import PolicyContext
from mlopsc.policies.rules.secrets_in_output import SecretsInOutput
from mlopsc.policies.rules.secrets_in_spec import SecretsInSpec
from mlopsc.policies.rules.uri_credentials import UriCredentials
from mlopsc.policies.secret_scan import fingerprint
from tests.test_secret_scan import BY_NAME, LOOKALIKES, Case

CTX = PolicyContext(Unit(SourceFile.from_text("mlops.yaml", ""), PositionMap({}, {})), Options())
CORPUS = sorted(BY_NAME.values())


def _document(key: str | None, value: str) -> dict[str, object]:
    return {"serving": {"env": {key: value}}} if key else {"metadata": {"team": value}}


def _spec_hits(key: str | None, value: str) -> list[object]:
    doc = _document(key, value)
    return [*SecretsInSpec().check_document(doc, CTX), *UriCredentials().check_document(doc, CTX)]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_every_generated_token_is_found_in_the_spec_and_in_rendered_files(case: Case) -> None:
    [hit] = _spec_hits(case.key, case.value)
    assert hit.fingerprint == fingerprint(case.secret)  # type: ignore[attr-defined]
    assert case.secret not in hit.message and case.value not in hit.message  # type: ignore[attr-defined]
    body = {"spec": {"env": [{"name": case.key or "X", "value": case.value}]}}
    file = RenderedFile("p/m/kserve/x.yaml", "", "kserve", "p", "m", "X", body)
    rendered = list(SecretsInOutput().check_file(file, CTX))
    if case.key:
        assert [f.fingerprint for f in rendered] == [hit.fingerprint]  # type: ignore[attr-defined]
    seen = PolicyContext(CTX.unit, CTX.options, spec_fingerprints=frozenset({hit.fingerprint}))  # type: ignore[attr-defined]
    assert list(SecretsInOutput().check_file(file, seen)) == []


@pytest.mark.parametrize(("value", "key"), LOOKALIKES)
def test_lookalikes_pass_both_secret_rules(value: str, key: str | None) -> None:
    assert _spec_hits(key, value) == []


def test_uri_credentials_are_sec003_not_sec001() -> None:
    doc = _document("endpoint", "postgres://svc:Xk29fLq0pRt7@db.internal:5432/app")
    assert list(SecretsInSpec().check_document(doc, CTX)) == []
    [hit] = UriCredentials().check_document(doc, CTX)
    assert hit.path == ("serving", "env", "endpoint") and "Xk29" not in hit.message


def test_keyed_strings_are_the_strings_without_paths() -> None:
    """SEC002 scans `keyed_strings` and builds paths only on a hit: both walks must see the same pairs."""
    from mlopsc.policies.walk import keyed_strings, strings
    from tests.golden_cases import cases, render

    bodies = [f.body for case in cases() for f in render(case)[1] if isinstance(f.body, dict | list)]
    bodies.append({"env": [{"name": "API_TOKEN", "value": "x"}, {"name": 3, "value": "y"}], "k": [["a", {"b": "c"}]]})
    assert len(bodies) > 100
    for body in bodies:
        assert keyed_strings(body) == [(t.key, t.value) for t in strings(body)]
