"""Issue #14: every step users take with a SageMaker deployment is a stack update that the behaviour model
(tests/behaviour: CloudFormation's update rules, SageMaker's endpoint rules, Application Auto Scaling's
deregister-first rule) accepts, and that ends with the endpoint serving exactly the shares the commit declares.

The specs are the goldens' own, edited the way users edit them (or by `mlopsc rollout`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlopsc.compiler.gitops.rollout import plan_move
from mlopsc.targets.sagemaker.transition import blocked_updates
from tests.behaviour.cfn import StackFailure
from tests.sagemaker_lifecycle import (
    GOLDEN,
    Spec,
    artifacts,
    at_traffic,
    edited,
    endpoint_shares,
    enter,
    first_release,
    load,
    new_stack,
    render,
    render_text,
)

CANARY = "sagemaker-canary-rollback"


def canary(steps: list[int]) -> Spec:
    return edited(load(CANARY), lambda s: s["rollout"].update(steps=steps))


def expected(spec: Spec, traffic: int) -> dict[str, float]:
    new, previous = artifacts(spec)
    out = {new: float(traffic), previous: float(100 - traffic)}
    return {k: v for k, v in out.items() if v}


def test_each_traffic_value_renders_its_own_endpoint_state() -> None:
    spec = canary([5, 25, 50, 100])
    bodies = {t: json.dumps(render(at_traffic(spec, t))["Resources"], sort_keys=True) for t in (0, 5, 25, 50, 100)}
    assert len(set(bodies.values())) == len(bodies), "two traffic values render the same resources"


def test_the_commit_is_the_state_through_a_canary() -> None:
    """Done-when of #14: at traffic 5, 25, 50 and 100 the endpoint holds exactly that share, and every step
    is an update CloudFormation and SageMaker accept."""
    spec = canary([5, 25, 50, 100])
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    assert endpoint_shares(account) == {artifacts(spec)[1]: 100.0}
    enter(stack, first_release(spec), at_traffic(spec, 5))
    for traffic in (5, 25, 50, 100):
        actions = stack.apply(render(at_traffic(spec, traffic)))
        assert endpoint_shares(account) == expected(spec, traffic), traffic
        if traffic > 5:  # a step is a new config and an endpoint update, nothing else
            assert {a.logical for a in actions if a.kind != "keep"} == {"EndpointConfig", "Endpoint"}


def test_abort_returns_all_traffic_to_the_previous_version() -> None:
    spec = canary([5, 25, 50, 100])
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), at_traffic(spec, 5))
    stack.apply(render(at_traffic(spec, 25)))
    stack.apply(render(at_traffic(spec, 0)))
    assert endpoint_shares(account) == {artifacts(spec)[1]: 100.0}


def test_rollout_commands_move_the_endpoint(tmp_path: Path) -> None:
    """`mlopsc rollout next|promote|abort` edit the spec; the re-rendered template moves the endpoint."""
    spec = at_traffic(canary([5, 25, 50, 100]), 5)
    path = tmp_path / "mlops.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), spec)
    for action, share in (("next", 25), ("next", 50), ("promote", 100)):
        edit = plan_move(path, action, None, "mlops.yaml")  # type: ignore[arg-type]
        path.write_text(edit.text, encoding="utf-8")
        stack.apply(render(_read(path)))
        assert endpoint_shares(account) == expected(spec, share), action
    edit = plan_move(path, "abort", None, "mlops.yaml")
    path.write_text(edit.text, encoding="utf-8")
    stack.apply(render(_read(path)))
    assert endpoint_shares(account) == {artifacts(spec)[1]: 100.0}


def _read(path: Path) -> Spec:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    rollback = spec["rollout"].get("rollback")
    if isinstance(rollback, dict) and True in rollback:
        rollback["on"] = rollback.pop(True)
    assert isinstance(spec, dict)
    return spec


def test_the_golden_canary_deploys_on_one_or_two_instances() -> None:
    """The golden canary (2 instances) as an update of the previous version: the old template's canary of 10%
    of capacity was no instance at all (API_TrafficRoutingConfig, CapacitySize); weights hold 10% exactly."""
    spec = load(CANARY)
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), spec)
    assert endpoint_shares(account) == expected(spec, 10)


def test_a_new_version_after_promote() -> None:
    spec = canary([5, 25, 50, 100])
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), at_traffic(spec, 5))
    stack.apply(render(at_traffic(spec, 100)))

    def bump(s: Spec) -> None:
        artifact = s["model"]["artifact"]
        s["rollout"]["previous"] = {
            "version": s["model"]["version"],
            "artifact": {"uri": artifact["uri"], "digest": artifact["digest"]},
        }
        s["model"]["version"] = "2.2.0"
        s["model"]["artifact"]["uri"] = "s3://acme-models/fraud-detection/2.2.0/model.tar.gz"
        s["rollout"]["traffic"] = 5

    newer = edited(spec, bump)
    assert not blocked_updates(render(at_traffic(spec, 100)), render(newer))
    stack.apply(render(newer))
    assert endpoint_shares(account) == expected(newer, 5)
    # and its canary goes on: next, then abort
    stack.apply(render(at_traffic(newer, 25)))
    assert endpoint_shares(account) == expected(newer, 25)
    stack.apply(render(at_traffic(newer, 0)))
    assert endpoint_shares(account) == {artifacts(newer)[1]: 100.0}


AB = "sagemaker-ab"


def test_ab_split_from_the_previous_release() -> None:
    spec = load(AB)
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), spec)
    assert endpoint_shares(account) == expected(spec, 30)


@pytest.mark.parametrize("direction", ["ab-to-canary", "canary-to-ab"])
def test_strategy_change_keeps_autoscaled_variants(direction: str) -> None:
    spec = load(AB)
    as_canary = edited(spec, lambda s: s["rollout"].update(strategy="canary", steps=[30, 100]))
    first, second = (spec, as_canary) if direction == "ab-to-canary" else (as_canary, spec)
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), first)
    assert not blocked_updates(render(first), render(second))
    stack.apply(render(second))
    assert endpoint_shares(account) == expected(spec, 30)


def test_instance_type_change_of_an_autoscaled_endpoint() -> None:
    """A `serving.resources` edit that picks another instance type, on an autoscaled variant (A1): one stack
    update cannot do it; `blocked_updates` (what `mlopsc diff` reports) says so exactly when the model fails,
    and the two commits it names pass."""
    from tests.behaviour.cfn import StackFailure

    spec = at_traffic(canary([5, 25, 50, 100]), 100)
    bigger = edited(spec, lambda s: s["serving"].update(resources={"cpu": 4, "memory_gb": 16}))
    stack, account = new_stack()
    before, after = render(spec), render(bigger)
    stack.apply(before)
    assert blocked_updates(before, after)
    with pytest.raises(StackFailure) as failure:
        stack.apply(after)
    assert failure.value.rule == "A1"
    fixed = edited(spec, lambda s: s["serving"].update(replicas={"min": 2, "max": 2}))
    assert not blocked_updates(before, render(fixed))
    stack.apply(render(fixed))
    assert not blocked_updates(render(fixed), after)
    stack.apply(after)
    (endpoint,) = account.endpoints.values()
    assert {v.instance_type for v in endpoint.variants} == {"ml.m5.xlarge"}
    assert not blocked_updates(after, render(edited(bigger, lambda s: s["metadata"].update(owner="x@example.com"))))


def test_owner_change_is_an_update() -> None:
    spec = load(CANARY)
    stack, _ = new_stack()
    stack.apply(render(spec))
    stack.apply(render(edited(spec, lambda s: s["metadata"].update(owner="fraud-ml@example.com"))))


def test_label_change_does_not_redeploy() -> None:
    spec = load(CANARY)
    stack, account = new_stack()
    stack.apply(render(spec))
    actions = stack.apply(render(edited(spec, lambda s: s["metadata"]["labels"].update({"cost-center": "2211"}))))
    kinds = {a.logical: a.kind for a in actions}
    assert "replace" not in kinds.values(), kinds
    (endpoint,) = account.endpoints.values()
    assert endpoint.deployments == []


def test_retraining_registers_into_the_stack_model_package_group() -> None:
    template = render(load("sagemaker-retraining-drift"))
    resources: dict[str, Any] = template["Resources"]
    group = resources["ModelPackageGroup"]["Properties"]["ModelPackageGroupName"]
    body = yaml.safe_load(resources["RetrainingPipeline"]["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"])
    (step,) = body["Steps"]
    assert step["Arguments"]["Environment"]["MODEL_PACKAGE_GROUP"] == group


def test_autoscaling_target_keeps_aws_safety_factor() -> None:
    """endpoint-scaling-loadtest.html: SageMakerVariantInvocationsPerInstance = MAX_RPS x SAFETY_FACTOR x 60,
    starting at SAFETY_FACTOR 0.5; rps_per_replica is what one replica can serve (the measured maximum)."""
    spec = load(CANARY)
    template = render(spec)
    policies = [r for r in template["Resources"].values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"]
    assert policies
    for policy in policies:
        target = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
        assert target == spec["serving"]["scale"]["rps_per_replica"] * 60 * 0.5


def test_diff_says_when_an_update_needs_two_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_run: Callable[..., Any]
) -> None:
    """`mlopsc diff` names the transition AWS refuses in one stack update, and the two commits that work."""
    from tests.gitops_fixtures import commit_all, repo

    root = repo(tmp_path / "project")
    spec = load(CANARY)
    path = root / "mlops.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    commit_all(root, "base")
    monkeypatch.chdir(root)
    bigger = edited(spec, lambda s: s["serving"].update(resources={"cpu": 4, "memory_gb": 16}))
    path.write_text(yaml.safe_dump(bigger, sort_keys=False), encoding="utf-8")
    out = cli_run(["diff", "--base", "HEAD"], expect=0).stdout
    assert (
        "note: default/fraud-detection/sagemaker/template.yaml: this SageMaker update changes the instance type" in out
    )
    assert "two commits" in out
    # a change that one update can do has no such note
    path.write_text(yaml.safe_dump(at_traffic(spec, 50), sort_keys=False), encoding="utf-8")
    assert "note:" not in cli_run(["diff", "--base", "HEAD"], expect=0).stdout


def test_a_split_starts_in_two_commits_under_rollback_alarms() -> None:
    """Adding the `previous` variant to an endpoint that served one version alone, with the rollback alarms'
    DeploymentConfig: SageMaker's guardrails need the old variant names (S5), so `blocked_updates` says two
    commits exactly where the model refuses the one update."""
    from tests.behaviour.cfn import StackFailure

    spec = load(CANARY)
    stack, _ = new_stack()
    stack.apply(render(first_release(spec)))
    assert blocked_updates(render(first_release(spec)), render(spec))
    with pytest.raises(StackFailure) as failure:
        stack.apply(render(spec))
    assert failure.value.rule == "S5"


def test_back_to_one_version_all_at_once() -> None:
    """From a live split to an all-at-once release (the previous variant goes): the commits `mlopsc diff`
    names pass, and the endpoint ends on the new version alone."""
    spec = at_traffic(canary([5, 25, 50, 100]), 100)
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), spec)
    alone = edited(spec, lambda s: s["rollout"].update(strategy="all-at-once"))
    notes = blocked_updates(render(spec), render(alone))
    assert len(notes) == 2, notes  # the autoscaled `previous` variant goes, under the guardrail
    enter(stack, spec, alone)
    assert endpoint_shares(account) == {artifacts(spec)[0]: 100.0}
    (endpoint,) = account.endpoints.values()
    assert [v.name for v in endpoint.variants] == ["new"]


@pytest.mark.parametrize("case", ["sagemaker-blue-green", "sagemaker-shadow", "sagemaker-environments"])
def test_other_strategies_from_the_previous_release(case: str) -> None:
    """Blue-green (new deployed at 0%), shadow (the new version mirrored) and the environments golden's
    linear canary: first deploy of the previous version, then the golden's state, then promote or abort."""
    spec = load(case)
    environment = "production" if case == "sagemaker-environments" else "default"

    def at(s: Spec) -> dict[str, Any]:
        return render(s, environment)

    stack, account = new_stack()
    stack.apply(at(first_release(spec)))
    enter(stack, first_release(spec), spec, environment)
    new, previous = artifacts(spec)
    (endpoint,) = account.endpoints.values()
    if case == "sagemaker-shadow":
        assert endpoint.shares() == {previous: 100.0}
        assert endpoint.shadow_artifacts() == (new,) and endpoint.mirrored() == {new: 20.0}
        stack.apply(at(at_traffic(spec, 0)))
        assert endpoint.shares() == {previous: 100.0} and endpoint.mirrored() == {new: 0.0}
        return
    traffic = spec["rollout"].get("traffic", spec["rollout"].get("steps", [0])[0])
    assert endpoint_shares(account) == expected(spec, traffic)
    stack.apply(at(at_traffic(spec, 100)))
    assert endpoint_shares(account) == {new: 100.0}
    stack.apply(at(at_traffic(spec, 0)))
    assert endpoint_shares(account) == {previous: 100.0}


def test_monitoring_and_retraining_come_and_go() -> None:
    """Adding drift monitoring and retraining to a deployed endpoint, a label edit on it, and removing them."""
    full = load("sagemaker-retraining-drift")
    bare = edited(full, lambda s: (s.pop("retraining"), s["monitoring"].pop("drift")))
    stack, account = new_stack()
    stack.apply(render(first_release(full)))
    enter(stack, first_release(full), bare)
    stack.apply(render(full))
    actions = stack.apply(render(edited(full, lambda s: s["metadata"]["labels"].update({"tier": "gold"}))))
    assert not [a for a in actions if a.kind == "replace" and a.type != "AWS::SageMaker::DataQualityJobDefinition"]
    stack.apply(render(bare))
    assert endpoint_shares(account) == expected(full, 20)


MOVES = [
    ("next", "canary 5% -> 25%"),
    ("promote", "canary 5% -> 100%"),
    ("abort", "canary 5% -> 0%"),
]


@pytest.mark.parametrize(("action", "line"), MOVES)
def test_diff_lists_each_rollout_move(
    action: str, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_run: Callable[..., Any]
) -> None:
    """`mlopsc rollout next|promote|abort` change the SageMaker template, and `mlopsc diff` says the move."""
    from tests.gitops_fixtures import commit_all, repo

    root = repo(tmp_path / "project")
    path = root / "mlops.yaml"
    path.write_text(yaml.safe_dump(at_traffic(canary([5, 25, 50, 100]), 5), sort_keys=False), encoding="utf-8")
    commit_all(root, "base")
    monkeypatch.chdir(root)
    cli_run(["rollout", action], expect=0)
    out = cli_run(["diff", "--base", "HEAD"], expect=0).stdout
    if action == "abort":  # an aborted version is rejected: its registry stage says so (compiler/registry.py)
        sagemaker = next(x for x in out.splitlines() if x.startswith("default/fraud-detection/sagemaker: "))
        assert sagemaker.startswith(f"default/fraud-detection/sagemaker: {line}, stage production -> archived")
        assert "model package approval Approved -> Rejected" in sagemaker
        return
    assert out == f"default/fraud-detection/sagemaker: {line}\n"


@pytest.mark.parametrize(
    ("first", "second"),
    [("canary", "shadow"), ("shadow", "canary"), ("blue-green", "canary"), ("canary", "blue-green"), ("ab", "shadow")],
)
def test_strategy_changes_through_the_commits_diff_names(first: str, second: str) -> None:
    spec = load(CANARY)

    def strategy(name: str) -> Spec:
        def edit(s: Spec) -> None:
            s["rollout"]["strategy"] = name
            s["rollout"]["traffic"] = 20
            s["rollout"].pop("steps", None)

        return edited(spec, edit)

    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), strategy(first))
    enter(stack, strategy(first), strategy(second))
    new, previous = artifacts(spec)
    (endpoint,) = account.endpoints.values()
    if second == "shadow":
        assert endpoint.shares() == {previous: 100.0} and endpoint.mirrored() == {new: 20.0}
    else:
        assert endpoint_shares(account) == expected(spec, 20)


SHADOW = "sagemaker-shadow"


def shadow_spec(**rollout: Any) -> Spec:
    """The shadow golden with auto scaling (so every transition also meets A1) and the given rollout fields."""

    def edit(s: Spec) -> None:
        s["serving"]["replicas"] = {"min": 2, "max": 6}
        s["rollout"].update(rollout)

    return edited(load(SHADOW), edit)


def names(account: Any) -> tuple[list[str], list[str]]:
    (endpoint,) = account.endpoints.values()
    return [v.name for v in endpoint.variants if not v.shadow], [v.name for v in endpoint.variants if v.shadow]


def test_a_shadow_rollout_through_every_transition() -> None:
    """#14, shadow: first deploy with the shadow, a share change, abort, the end of the shadow as a canary (a
    strategy change: `rollout promote` refuses a shadow) and its promote. Each is an update the model accepts,
    the endpoint copies exactly the declared share to the shadow (SH2), and the variant names are the roles:
    `new` keeps its name from shadow to production, as AWS's own promotion does (SH3)."""
    spec = shadow_spec()
    new, previous = artifacts(spec)
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), spec)
    (endpoint,) = account.endpoints.values()
    assert endpoint.shares() == {previous: 100.0} and endpoint.mirrored() == {new: 20.0}
    assert names(account) == (["previous"], ["new"])
    # both scale (shadow-tests-best-practices: auto scaling on the shadow variant too)
    assert sorted(account.scalable) == [f"endpoint/{endpoint.name}/variant/{v}" for v in ("new", "previous")]
    for traffic in (50, 100, 5):
        stack.apply(render(at_traffic(spec, traffic)))
        assert endpoint.shares() == {previous: 100.0} and endpoint.mirrored() == {new: float(traffic)}
    stack.apply(render(at_traffic(spec, 0)))  # abort: nothing copied, the shadow kept deployed
    assert endpoint.shares() == {previous: 100.0} and endpoint.mirrored() == {new: 0.0}
    canary = shadow_spec(strategy="canary", traffic=10, steps=[10, 50, 100])
    notes = blocked_updates(render(at_traffic(spec, 0)), render(canary))
    assert len(notes) == 1 and "rollback alarms" in notes[0], notes  # the production variant names change (S5)
    enter(stack, at_traffic(spec, 0), canary)
    assert endpoint_shares(account) == expected(canary, 10) and endpoint.mirrored() == {}
    assert names(account) == (["new", "previous"], [])
    stack.apply(render(at_traffic(canary, 100)))
    assert endpoint_shares(account) == {new: 100.0}


@pytest.mark.parametrize(
    ("rollout", "variants", "serving"),
    [
        ({"strategy": "blue-green", "traffic": 100}, (["new", "previous"], []), "new"),  # what the refusal names
        ({"strategy": "all-at-once", "traffic": 100}, (["new"], []), "new"),
        ({"strategy": "canary", "traffic": 0, "steps": [10, 100]}, (["new", "previous"], []), "previous"),
    ],
)
def test_a_shadow_ends_through_the_commits_diff_names(
    rollout: dict[str, Any], variants: tuple[list[str], list[str]], serving: str
) -> None:
    """`rollout promote` refuses a shadow and names a strategy change instead: each way out is accepted (in the
    commits `mlopsc diff` names) and `new` keeps its variant name from shadow to production (SH3)."""
    spec = shadow_spec()
    new, previous = artifacts(spec)
    stack, account = new_stack()
    stack.apply(render(spec))
    end = shadow_spec(**rollout)
    enter(stack, spec, end)
    (endpoint,) = account.endpoints.values()
    assert names(account) == variants and endpoint.mirrored() == {}
    assert endpoint_shares(account) == {new if serving == "new" else previous: 100.0}


def test_first_deploy_of_a_shadow_on_a_new_endpoint() -> None:
    """A stack created straight at the shadow state (no earlier release): one update, the declared share."""
    spec = shadow_spec(traffic=35)
    stack, account = new_stack()
    stack.apply(render(spec))
    new, previous = artifacts(spec)
    (endpoint,) = account.endpoints.values()
    assert endpoint.shares() == {previous: 100.0} and endpoint.mirrored() == {new: 35.0}


def test_a_tripped_rollback_alarm_keeps_the_previous_step() -> None:
    """`rollout.rollback.on` still rolls back where SageMaker can: an alarm of the AutoRollbackConfiguration that
    trips during the bake of `rollout next` returns the endpoint to the step before (S4)."""
    spec = canary([5, 25, 50, 100])
    stack, account = new_stack()
    stack.apply(render(first_release(spec)))
    enter(stack, first_release(spec), at_traffic(spec, 5))
    account.tripped.add("fraud-detection-default-latency-p95")
    with pytest.raises(StackFailure) as failure:
        stack.apply(render(at_traffic(spec, 25)))
    assert failure.value.rule == "S4"
    assert endpoint_shares(account) == expected(spec, 5)
    account.tripped.clear()  # fixed (or the alarm cleared): the same commit applies
    stack.apply(render(at_traffic(spec, 25)))
    assert endpoint_shares(account) == expected(spec, 25)


def _golden_plans() -> list[tuple[str, str]]:
    out = []
    for path in sorted(GOLDEN.glob("sagemaker-*/mlops.yaml")):
        for env_dir in sorted((path.parent / "expected").iterdir()):
            if (env_dir.is_dir()) and any(env_dir.glob("*/sagemaker/template.yaml")):
                out.append((path.parent.name, env_dir.name))
    return out


@pytest.mark.parametrize(("case", "environment"), _golden_plans())
def test_every_golden_deploys_first_time_with_its_decided_shares(case: str, environment: str) -> None:
    """First deploy of every SageMaker golden: CloudFormation and SageMaker accept it, and the endpoint serves
    the rollout model's live shares (and mirrors its mirrored share to the shadow)."""
    from mlopsc.compiler.ir import Decided, Options
    from mlopsc.compiler.passes import run

    path = GOLDEN / case / "mlops.yaml"
    template = render(load(case), environment)
    stack, account = new_stack()
    stack.apply(template)
    ir = run(path.name, path.read_bytes(), Options(), until="decide")
    assert isinstance(ir, Decided)
    (plan,) = [p for p in ir.plans if p.environment == environment]
    if not plan.spec.serving.mode.serves_online:
        assert not account.endpoints
        return
    state = plan.derived.rollout
    live = {v.artifact.location("sagemaker"): float(v.live_share) for v in state.versions if v.live_share}
    (endpoint,) = account.endpoints.values()
    assert {k: v for k, v in endpoint.shares().items() if v} == live
    assert endpoint.mirrored() == {v.artifact.location("sagemaker"): float(v.mirrored_share) for v in state.mirrored}


@pytest.mark.parametrize(("case", "traffic"), [(CANARY, 0), (CANARY, 100), ("sagemaker-shadow", 0), (AB, 100)])
def test_moved_templates_pass_cfn_lint(case: str, traffic: int) -> None:
    """Weights of 0 (a version kept deployed without traffic) are valid CloudFormation."""
    from tests.validators.cfn import lint_template

    text = render_text(at_traffic(load(case), traffic))
    assert [(f.rule_id, f.message) for f in lint_template(text)] == []
