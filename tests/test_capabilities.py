"""The capability tables (targets/<name>/capabilities.py) and the one check that refuses from them
(compiler/passes/capabilities.py): each moved refusal keeps its code, message, path and hint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import Options
from mlopsc.compiler.passes import run
from mlopsc.compiler.rolloutstate import Role, RolloutRefused, rollout_state
from mlopsc.compiler.spec.vocabulary import Strategy
from mlopsc.targets.registry import TARGETS
from tests.fixed_clock import TODAY

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _diagnostics(case: str, *edits: tuple[str, str]) -> list[Diagnostic]:
    text = (GOLDEN / case / "mlops.yaml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return list(run("mlops.yaml", text.encode(), Options(today=TODAY), until="resolve").diagnostics)


def _one(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in diagnostics]
    return found[0]


CASES: list[tuple[str, tuple[tuple[str, str], ...], str, Severity, str, Callable[[Diagnostic], bool]]] = [
    (
        "production-canary",
        (("deployment_mode: serverless", "deployment_mode: raw"),),
        "KSV006",
        Severity.ERROR,
        "KServe honours canaryTrafficPercent only in Knative (serverless) mode; a canary rollout cannot split "
        "traffic in Standard (raw) mode",
        lambda d: d.hint.startswith("alternatives: `deployment_mode: serverless`"),
    ),
    (
        "production-canary",
        (("    kserve: {secret_key_ref: {name: bureau, key: api-key}}\n", ""),),
        "KSV007",
        Severity.ERROR,
        "secret `bureau-api-key` has no KServe reference",
        lambda d: (
            d.path == ("secrets", "bureau-api-key")
            and d.hint == "add `kserve: {secret_key_ref: {name: <Secret>, key: <key>}}`"
        ),
    ),
    (
        "vertex-canary",
        (("scale: {rps: 400, latency_ms: 120}", "scale: {rps: 400, latency_ms: 120}\n  replicas: {min: 0, max: 4}"),),
        "VTX014",
        Severity.ERROR,
        "Vertex AI dedicated resources keep at least 1 replica, not 0",
        lambda d: d.path == ("serving", "replicas", "min"),
    ),
    (
        "vertex-canary",
        (
            (
                "    kms_key_name: projects/acme-ml/locations/us-central1/keyRings/ml/cryptoKeys/credit\n",
                "    kms_key_name: projects/acme-ml/locations/us-central1/keyRings/ml/cryptoKeys/credit\n"
                "    network: projects/123456789012/global/networks/ml-private\n",
            ),
        ),
        "VTX030",
        Severity.ERROR,
        "a Vertex AI private endpoint (`platforms.vertex.network`) serves one model, so a canary rollout cannot "
        "deploy the new version beside the previous one and split traffic on it",
        lambda d: (
            d.path == ("platforms", "vertex", "network")
            and "a public endpoint" in d.hint
            and "Private Service Connect" in d.hint
            and "all-at-once" in d.hint
        ),
    ),
    (
        "azureml-canary",
        (("scale: {rps: 300, latency_ms: 200}", "scale: {rps: 300, latency_ms: 200}\n  replicas: {min: 0, max: 4}"),),
        "AML101",
        Severity.WARNING,
        "a managed online deployment runs at least 1 instance: `replicas.min: 0` is deployed as 1",
        lambda d: d.hint == "serverless scale-to-zero is not available on managed online endpoints",
    ),
    (
        "azureml-canary",
        (("mode: online", "mode: online\n  protocol: grpc"),),
        "AML013",
        Severity.ERROR,
        "Azure ML managed online endpoints serve HTTPS (REST) only, not gRPC",
        lambda d: d.hint == "alternatives: `protocol: rest`; render gRPC for KServe",
    ),
    (
        "azureml-canary",
        (("strategy: canary", "strategy: shadow"), ("steps: [10, 50, 100]", "traffic: 60")),
        "AML005",
        Severity.ERROR,
        "Azure ML mirrors at most 50% of traffic to a shadow deployment, not 60%",
        lambda d: "`rollout.traffic` of 50 or less" in d.hint,
    ),
]


@pytest.mark.parametrize(("case", "edits", "code", "severity", "message", "extra"), CASES, ids=[c[2] for c in CASES])
def test_refusal_comes_from_the_table(
    case: str,
    edits: tuple[tuple[str, str], ...],
    code: str,
    severity: Severity,
    message: str,
    extra: Callable[[Diagnostic], bool],
) -> None:
    found = _one(_diagnostics(case, *edits), code)
    assert (found.severity, found.message) == (severity, message)
    assert extra(found), found


def test_the_registry_is_the_one_list_of_platforms() -> None:
    """Every `platforms` key (and every per-platform mirror and secret entry) has its target, in order."""
    from mlopsc.compiler.spec.typed import Mirrors, Platforms, SecretEntry

    assert tuple(TARGETS) == Platforms.field_names == Mirrors.field_names == SecretEntry.field_names
    for name, target in TARGETS.items():
        assert target.name == name


def test_every_table_refusal_has_its_target_prefix() -> None:
    """A table's refusal codes are its own target's (stable codes, moved, not renamed)."""
    for name, target in TARGETS.items():
        for _, flag in target.capabilities.rows():
            for refusal in (
                flag.refusal,
                getattr(flag, "over_max", None),
                getattr(flag, "requires", None),
                getattr(flag, "missing", None),
            ):
                code = getattr(refusal, "code", None) or getattr(getattr(refusal, "refusal", None), "code", None)
                if code is not None:
                    assert code.startswith(target.code_prefix), (name, code)


def test_cli_prints_the_capability_table(cli_run: Callable[..., object]) -> None:
    result = cli_run(["targets", "--capabilities"], expect=0)
    out = result.stdout  # type: ignore[attr-defined]
    for name in TARGETS:
        assert f"{name} (" in out
    assert "mirroring (shadow)               no (refused KSV005)" in out
    assert "max 50%, one target, above: AML005" in out


def _spec(strategy: str, previous: bool = True) -> object:
    text = (GOLDEN / "azureml-canary" / "mlops.yaml").read_text(encoding="utf-8")
    text = text.replace("strategy: canary", f"strategy: {strategy}")
    if not previous:
        start = text.index("  previous:")
        text = text[:start] + text[text.index("governance:") :]
    ir = run("mlops.yaml", text.encode(), Options(today=TODAY), until="validate")
    return ir.environments[0].spec  # type: ignore[attr-defined]


def test_kept_versions() -> None:
    """What a platform billing every deployed replica keeps (Vertex AI): an idle version is taken out, except
    blue-green's new one waiting for its switch; the kept shares add up to 100."""

    def kept(state: object) -> list[tuple[Role, int]]:
        return [(v.role, v.live_share) for v in state.kept]  # type: ignore[attr-defined]

    canary = rollout_state(_spec("canary"), Strategy.CANARY, 10)  # type: ignore[arg-type]
    assert kept(canary) == [(Role.NEW, 10), (Role.PREVIOUS, 90)]
    assert kept(canary.promote()) == [(Role.NEW, 100)]
    assert kept(canary.abort()) == [(Role.PREVIOUS, 100)]
    ab = rollout_state(_spec("ab"), Strategy.AB, 50)  # type: ignore[arg-type]
    assert kept(ab.abort()) == [(Role.PREVIOUS, 100)]
    green = rollout_state(_spec("blue-green"), Strategy.BLUE_GREEN, 0)  # type: ignore[arg-type]
    assert kept(green) == [(Role.NEW, 0), (Role.PREVIOUS, 100)]
    assert kept(green.promote()) == [(Role.NEW, 100)]
    once = rollout_state(_spec("all-at-once"), Strategy.ALL_AT_ONCE, 100)  # type: ignore[arg-type]
    assert kept(once) == [(Role.NEW, 100)]


def test_moves_of_the_model() -> None:
    canary = rollout_state(_spec("canary"), Strategy.CANARY, 10)  # type: ignore[arg-type]
    assert canary.live_shares() == {Role.NEW: 10, Role.PREVIOUS: 90} and canary.live_split
    assert canary.next().traffic == 50 and canary.next().next().traffic == 100
    promoted = canary.promote()
    assert promoted.live_shares() == {Role.NEW: 100, Role.PREVIOUS: 0} and not promoted.live_split
    assert promoted.previous is not None and not promoted.previous.serving  # kept deployed, no traffic
    aborted = canary.abort()
    assert aborted.live_shares() == {Role.NEW: 0, Role.PREVIOUS: 100} and aborted.live_split
    with pytest.raises(RolloutRefused, match="last of its steps"):
        promoted.next()
    shadow = rollout_state(_spec("shadow"), Strategy.SHADOW, 20)  # type: ignore[arg-type]
    assert [(v.role, v.live_share, v.mirrored_share) for v in shadow.versions] == [
        (Role.NEW, 0, 20),
        (Role.PREVIOUS, 100, 0),
    ]
    assert not shadow.live_split and shadow.mirrored == (shadow.new,)
    with pytest.raises(RolloutRefused, match="strategy change"):
        shadow.promote()
    assert shadow.abort().mirrored == ()
    once = rollout_state(_spec("all-at-once"), Strategy.ALL_AT_ONCE, 100)  # type: ignore[arg-type]
    assert once.previous is None and once.live_shares() == {Role.NEW: 100}
    with pytest.raises(RolloutRefused, match="all-at-once"):
        once.abort()
    first = rollout_state(_spec("canary", previous=False), Strategy.CANARY, 100)  # type: ignore[arg-type]
    assert first.previous is None and not first.live_split
    with pytest.raises(RolloutRefused, match=r"no `rollout\.previous`"):
        first.next()


def test_rollout_promote_refuses_a_shadow(tmp_path: Path) -> None:
    """Before the rollout model, `rollout promote` wrote `traffic: 100` to a shadow rollout: 100% mirrored,
    still answering nobody (and above Azure's 50% mirror cap). Promoting a shadow is a strategy change."""
    from mlopsc.compiler.gitops.rollout import RolloutError, plan_move

    spec = tmp_path / "mlops.yaml"
    spec.write_bytes((GOLDEN / "sagemaker-shadow" / "mlops.yaml").read_bytes())
    with pytest.raises(RolloutError, match="strategy change"):
        plan_move(spec, "promote", None, "mlops.yaml")
    assert plan_move(spec, "abort", None, "mlops.yaml").new == 0  # mirroring stops; live stays on previous
