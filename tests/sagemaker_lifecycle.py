"""Helpers for SageMaker lifecycle tests: render a golden spec with edits, apply the templates one after the
other to a modelled CloudFormation stack (tests/behaviour), and read what the endpoint serves."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from tests.behaviour.cfn import Stack
from tests.behaviour.sagemaker import SageMakerAccount
from tests.fixed_clock import TODAY

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

Spec = dict[str, Any]


def load(case: str) -> Spec:
    spec = yaml.safe_load((GOLDEN / case / "mlops.yaml").read_text(encoding="utf-8"))
    assert isinstance(spec, dict)
    rollback = spec.get("rollout", {}).get("rollback")
    if isinstance(rollback, dict) and True in rollback:
        rollback["on"] = rollback.pop(True)  # PyYAML reads the key `on` as YAML 1.1's boolean
    return spec


def edited(spec: Spec, edit: Callable[[Spec], None]) -> Spec:
    out = copy.deepcopy(spec)
    edit(out)
    return out


def render(spec: Spec, environment: str = "default") -> dict[str, Any]:
    """The SageMaker template of ``environment``; fails the test on a compile error."""
    text = yaml.safe_dump(spec, sort_keys=False)
    ir = run("mlops.yaml", text.encode("utf-8"), Options(targets=("sagemaker",), today=TODAY))
    assert isinstance(ir, Emitted), [f"{d.code} {d.message}" for d in ir.diagnostics if d.is_error]
    files = [f for f in ir.files if f.platform == "sagemaker" and f.environment == environment]
    assert len(files) == 1, [f.path for f in ir.files]
    body = files[0].body
    assert isinstance(body, dict)
    return body


def render_text(spec: Spec, environment: str = "default") -> str:
    text = yaml.safe_dump(spec, sort_keys=False)
    ir = run("mlops.yaml", text.encode("utf-8"), Options(targets=("sagemaker",), today=TODAY))
    assert isinstance(ir, Emitted)
    (file,) = [f for f in ir.files if f.platform == "sagemaker" and f.environment == environment]
    return file.content


def first_release(spec: Spec) -> Spec:
    """The spec as it stood when the previous version was live alone: the previous version all-at-once."""

    def edit(s: Spec) -> None:
        previous = s["rollout"].pop("previous")
        s["model"]["version"] = previous["version"]
        s["model"]["artifact"] = {**s["model"]["artifact"], **previous["artifact"]}
        s["rollout"] = {"strategy": "all-at-once"}
        for approval in s.get("governance", {}).get("approvals", []):
            approval["digest"] = previous["artifact"]["digest"]

    return edited(spec, edit)


def at_traffic(spec: Spec, traffic: int) -> Spec:
    def edit(s: Spec) -> None:
        s["rollout"]["traffic"] = traffic

    return edited(spec, edit)


def new_stack() -> tuple[Stack, SageMakerAccount]:
    account = SageMakerAccount()
    return Stack((account,)), account


def endpoint_shares(account: SageMakerAccount) -> dict[str, float]:
    (endpoint,) = account.endpoints.values()
    return {k: v for k, v in endpoint.shares().items() if v}


def artifacts(spec: Spec) -> tuple[str, str]:
    """(new version's artifact, previous version's artifact)."""
    return spec["model"]["artifact"]["uri"], spec["rollout"]["previous"]["artifact"]["uri"]


def enter(stack: Stack, before: Spec, spec: Spec, environment: str = "default") -> None:
    """Apply ``spec`` over ``before`` the way `mlopsc diff` says: in one update when it can, else with the
    commits its notes name: auto scaling off first when an autoscaled variant goes or changes type, and the
    target state without rollback alarms when the variants change under a deployment guardrail."""
    from mlopsc.targets.sagemaker.transition import blocked_updates

    notes = blocked_updates(render(before, environment), render(spec, environment))
    fixed = {"min": 2, "max": 2}
    scaling = any("auto scaling" in n for n in notes)
    guard = any("variants" in n for n in notes)
    if scaling:
        stack.apply(render(edited(before, lambda s: s["serving"].update(replicas=fixed)), environment))
    if guard or scaling:

        def relax(s: Spec) -> None:
            if guard:
                s["rollout"]["rollback"] = {"on": []}
            if scaling:
                s["serving"]["replicas"] = fixed

        stack.apply(render(edited(spec, relax), environment))
    stack.apply(render(spec, environment))
