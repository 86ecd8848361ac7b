"""Decide once, render four times: every golden's decided rollout state (Derived.rollout), moved by
`next`, `promote` and `abort` exactly as `mlopsc rollout` edits the spec, re-rendered, and each
platform's rendered live and mirrored shares read back from the files and compared with the state.

Where each platform puts the shares (what this test reads):
- KServe: `spec.predictor.canaryTrafficPercent` of the InferenceService (the rest stays on the previous
  ready revision), or the InferenceGraph Splitter's step weights (A/B); neither: the latest revision
  takes all traffic (kserve pkg/apis/serving/v1beta1/component.go, CanaryTrafficPercent).
- Vertex AI: `trafficSplit` of deploy-model.json (`"0"` is the model being deployed; Endpoint.trafficSplit).
- Azure ML: `traffic` and `mirror_traffic` of endpoint.yaml, by deployment name (reference-yaml-endpoint-online).
- SageMaker: the EndpointConfig's ProductionVariants weights (share = weight / sum), each variant's version
  read from its Model's artifact, and the shadow variant's weight relative to the production weight
  (aws/amazon-sagemaker-examples archived/shadow-console/Shadow_variant.ipynb: production 1, shadow 0.5 -> 50%;
  tests/behaviour/sagemaker.py SH2). tests/test_sagemaker_lifecycle.py applies the same
  templates one after the other to a model of CloudFormation and SageMaker (tests/behaviour).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlopsc.compiler.diagnostics import has_errors
from mlopsc.compiler.gitops.rollout import plan_move
from mlopsc.compiler.ir import Decided, Emitted, Json, Options, RenderedFile
from mlopsc.compiler.passes import run
from mlopsc.compiler.rolloutstate import Role, RolloutRefused, RolloutState
from mlopsc.compiler.spec.vocabulary import ServingMode, Strategy
from tests.golden_cases import ROOT, Case, cases

MOVES = ("as-is", "next", "promote", "abort")
Shares = dict[Role, tuple[int, int]]  # role -> (live share, mirrored share)


@dataclass(frozen=True)
class Point:
    case: Case
    environment: str
    move: str
    platform: str
    state: RolloutState  # the moved state the model says every platform renders


def _decided(case: Case) -> Decided | None:
    ir = run(case.spec.relative_to(ROOT).as_posix(), case.spec.read_bytes(), case.options, until="decide")
    return ir if isinstance(ir, Decided) and not has_errors(ir.diagnostics) else None


def _moved(state: RolloutState, move: str) -> RolloutState | None:
    if move == "as-is":
        return state
    try:
        return {"next": state.next, "promote": state.promote, "abort": state.abort}[move]()
    except RolloutRefused:
        return None


def _points() -> list[object]:
    out: list[object] = []
    for case in cases():
        decided = _decided(case)
        if decided is None:
            continue
        for plan in decided.plans:
            if case.options.environments and plan.environment not in case.options.environments:
                continue
            if plan.spec.serving.mode not in (ServingMode.ONLINE, ServingMode.HYBRID):
                continue  # no endpoint: nothing serves live traffic
            platforms = [p for p in ("kserve", "sagemaker", "vertex", "azureml") if getattr(plan.spec.platforms, p)]
            if case.options.targets:
                platforms = [p for p in platforms if p in case.options.targets]
            for move in MOVES:
                moved = _moved(plan.derived.rollout, move)
                if moved is None:
                    continue
                for platform in platforms:
                    point = Point(case, plan.environment, move, platform, moved)
                    out.append(pytest.param(point, id=f"{case.name}-{plan.environment}-{move}-{platform}"))
    return out


@functools.cache
def _render(case: Case, environment: str, move: str, tmp: Path) -> tuple[RenderedFile, ...] | str:
    """The files of the spec moved like `mlopsc rollout <move>` would write it (or the errors' codes)."""
    text = case.spec.read_text(encoding="utf-8")
    if move != "as-is":
        path = tmp / f"{case.name}-{environment}-{move}.yaml"
        path.write_text(text, encoding="utf-8", newline="")
        text = plan_move(path, move, environment, "mlops.yaml").text  # type: ignore[arg-type]
    options = Options(targets=case.options.targets, environments=case.options.environments, today=case.options.today)
    ir = run("mlops.yaml", text.encode(), options, until="emit")
    if not isinstance(ir, Emitted) or has_errors(ir.diagnostics):
        return ", ".join(sorted({d.code for d in ir.diagnostics if d.is_error}))
    return ir.files


def _body(files: tuple[RenderedFile, ...], environment: str, platform: str, name: str) -> Json:
    for f in files:
        if f.environment == environment and f.platform == platform and f.path.endswith("/" + name):
            return f.body
    return None


def _dict(value: Json) -> dict[str, Json]:
    assert isinstance(value, dict), value
    return value


def _kserve(files: tuple[RenderedFile, ...], env: str, state: RolloutState) -> Shares:
    graph = _body(files, env, "kserve", "inferencegraph.yaml")
    if graph is not None:
        steps = _dict(_dict(_dict(graph)["spec"])["nodes"])["root"]
        weights = {str(s["name"]): int(s["weight"]) for s in _dict(steps)["steps"]}  # type: ignore[index,call-overload,arg-type]
        return {Role.NEW: (weights["new"], 0), Role.PREVIOUS: (weights["previous"], 0)}
    isvc = _dict(_body(files, env, "kserve", "inferenceservice.yaml"))
    predictor = _dict(_dict(isvc["spec"])["predictor"])
    canary = predictor.get("canaryTrafficPercent")
    new = int(canary) if isinstance(canary, int) else 100
    shares: Shares = {Role.NEW: (new, 0)}
    if state.previous is not None:  # Knative keeps the previous ready revision, at the rest of the traffic
        shares[Role.PREVIOUS] = (100 - new, 0)
    return shares


def _vertex(files: tuple[RenderedFile, ...], env: str, state: RolloutState) -> Shares:
    from mlopsc.targets.vertex.naming import deployed_model_id

    # what apply.sh converges the endpoint on: apply.json's traffic_split (a version absent from it is
    # undeployed, so it gets no traffic); the deployment body's split agrees with it for the new version
    split = _dict(_dict(_body(files, env, "vertex", "apply.json"))["traffic_split"])
    body = _dict(_dict(_body(files, env, "vertex", "deploy-model.json"))["trafficSplit"])
    new_id = deployed_model_id(state.new.version)
    if new_id in split:
        assert body["0"] == split[new_id], (body, split)
    shares: Shares = {}
    for version in state.versions:
        shares[version.role] = (int(split.get(deployed_model_id(version.version), 0)), 0)  # type: ignore[call-overload]
    assert set(split) <= {deployed_model_id(v.version) for v in state.versions}, split
    return shares


def _azureml(files: tuple[RenderedFile, ...], env: str, state: RolloutState) -> Shares:
    from mlopsc.targets.azureml.naming import deployment_name

    endpoint = _dict(_body(files, env, "azureml", "endpoint.yaml"))
    traffic, mirror = _dict(endpoint["traffic"]), _dict(endpoint.get("mirror_traffic", {}))
    shares: Shares = {}
    for version in state.versions:
        name = deployment_name(version.version)
        shares[version.role] = (int(traffic.get(name, 0)), int(mirror.get(name, 0)))  # type: ignore[call-overload]
    assert set(traffic) | set(mirror) <= {deployment_name(v.version) for v in state.versions}, (traffic, mirror)
    return shares


def _sagemaker(files: tuple[RenderedFile, ...], env: str, state: RolloutState) -> Shares:
    resources = _dict(_dict(_body(files, env, "sagemaker", "template.yaml"))["Resources"])
    roles = {v.artifact.location("sagemaker"): v.role for v in state.versions}
    names = {}  # ModelName -> the role of the version whose artifact it serves
    for resource in resources.values():
        if _dict(resource)["Type"] == "AWS::SageMaker::Model":
            props = _dict(_dict(resource)["Properties"])
            names[props["ModelName"]] = roles[_dict(props["PrimaryContainer"])["ModelDataUrl"]]  # type: ignore[index]
    config = _dict(_dict(resources["EndpointConfig"])["Properties"])
    production = [_dict(v) for v in config["ProductionVariants"]]  # type: ignore[union-attr]
    total = sum(float(v["InitialVariantWeight"]) for v in production)  # type: ignore[arg-type]
    shares: Shares = dict.fromkeys(names.values(), (0, 0))
    for v in production:
        shares[names[v["ModelName"]]] = (round(100 * float(v["InitialVariantWeight"]) / total), 0)  # type: ignore[arg-type,index]
    for v in (_dict(v) for v in config.get("ShadowProductionVariants", [])):  # type: ignore[union-attr]
        live = shares[names[v["ModelName"]]][0]  # type: ignore[index]
        shares[names[v["ModelName"]]] = (live, round(100 * float(v["InitialVariantWeight"]) / total))  # type: ignore[arg-type,index]
    return shares


READERS = {"kserve": _kserve, "vertex": _vertex, "azureml": _azureml, "sagemaker": _sagemaker}
POINTS = _points()


@pytest.fixture(scope="module")
def tmp_specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("moved")


@pytest.mark.parametrize("point", POINTS)
def test_rendered_shares_are_the_decided_state(point: Point, tmp_specs: Path) -> None:
    rendered = _render(point.case, point.environment, point.move, tmp_specs)
    if isinstance(rendered, str):
        pytest.fail(f"the moved spec does not compile for {point.platform}: {rendered}")
    expected: Shares = {v.role: (v.live_share, v.mirrored_share) for v in point.state.versions}
    assert READERS[point.platform](rendered, point.environment, point.state) == expected


def test_every_golden_rollout_is_covered() -> None:
    """The moves reach every strategy the goldens use, and every platform."""
    seen = {(p.values[0].state.strategy, p.values[0].platform) for p in POINTS}  # type: ignore[attr-defined]
    assert {s for s, _ in seen} == set(Strategy)
    assert {p for _, p in seen} == set(READERS)
