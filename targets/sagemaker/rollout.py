"""The endpoint's blue/green update policy from the spec's rollout (SageMaker deployment guardrails).

SageMaker shifts traffic from the old endpoint fleet to the new one itself when the endpoint moves
to a new EndpointConfig (`DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration`):

- canary with no steps or two steps (`[10, 100]`) -> CANARY, `CanarySize` = the first step (else
  `rollout.traffic`) percent of the variant's capacity, then the rest. AWS: at most 50 %.
- canary with three or more steps -> LINEAR, `LinearStepSize` = the first step percent. SageMaker's
  CANARY has exactly two steps and LINEAR shifts in equal steps, so several steps are expressed as
  equal steps of the first size (the nearest SageMaker can do; uneven steps such as 5/25/50 cannot be
  rendered). AWS: each step 10-50 % of capacity; a smaller first step is raised to 10 with a warning.
- blue-green, A/B, shadow and all-at-once -> ALL_AT_ONCE (A/B and shadow split or copy traffic by
  the variants of the config itself, not by the update).

`WaitIntervalInSeconds` = 600 s between steps (the 10-minute window of the latency alarm, so a
breach is seen before the next step); with ALL_AT_ONCE it is the bake time during which the rollback
alarms are watched (0 when there are none). `TerminationWaitInSeconds` = 600 s when rolling back is
possible (the old fleet is kept for 10 more minutes), else 0. `MaximumExecutionTimeoutInSeconds` =
all waits + 30 minutes for provisioning, within AWS's 600-28800 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlopsc.compiler.ir import Finding, Json, Plan
from mlopsc.compiler.rules.rollout import DEFAULT_TRAFFIC
from mlopsc.compiler.source import Path_
from mlopsc.compiler.spec.vocabulary import Strategy
from mlopsc.targets.base import refuse, warn

WAIT_S = 600
PROVISIONING_S = 1800
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 600, 28800
CANARY_MAX = 50
LINEAR_MIN, LINEAR_MAX = 10, 50


@dataclass(frozen=True)
class Routing:
    """What `TrafficRoutingConfiguration` and the waits around it say."""

    type: str  # ALL_AT_ONCE | CANARY | LINEAR
    size: int | None  # CAPACITY_PERCENT of CanarySize / LinearStepSize
    wait_s: int
    termination_s: int
    reason: str

    @property
    def shifts(self) -> int:
        if self.type == "CANARY":
            return 2
        if self.type == "LINEAR":
            assert self.size is not None
            return math.ceil(100 / self.size)
        return 1

    @property
    def max_timeout_s(self) -> int:
        total = self.shifts * self.wait_s + self.termination_s + PROVISIONING_S
        return max(MIN_TIMEOUT_S, min(MAX_TIMEOUT_S, total))

    def policy(self) -> dict[str, Json]:
        routing: dict[str, Json] = {"Type": self.type, "WaitIntervalInSeconds": self.wait_s}
        if self.type == "CANARY":
            routing["CanarySize"] = {"Type": "CAPACITY_PERCENT", "Value": self.size}
        elif self.type == "LINEAR":
            routing["LinearStepSize"] = {"Type": "CAPACITY_PERCENT", "Value": self.size}
        return {
            "TrafficRoutingConfiguration": routing,
            "TerminationWaitInSeconds": self.termination_s,
            "MaximumExecutionTimeoutInSeconds": self.max_timeout_s,
        }


def routing(plan: Plan, rollback: bool) -> tuple[Routing | None, list[Finding]]:
    """The routing for the plan's strategy, or None with the refusal. ``rollback``: alarms attached."""
    rollout = plan.derived.rollout
    strategy = rollout.strategy
    steps = list(rollout.steps)
    termination = WAIT_S if rollback else 0
    if strategy is not Strategy.CANARY:
        wait = WAIT_S if rollback or strategy is Strategy.BLUE_GREEN else 0
        why = {
            Strategy.BLUE_GREEN: "blue-green: all traffic moves to the new fleet at once, after it is healthy",
            Strategy.ALL_AT_ONCE: "all-at-once",
            Strategy.AB: "A/B: the variant weights split traffic; the update itself switches at once",
            Strategy.SHADOW: "shadow: the shadow variant gets copies; the update itself switches at once",
        }[strategy]
        return Routing("ALL_AT_ONCE", None, wait, termination, why), []
    path: Path_ = ("rollout", "steps") if steps else ("rollout", "traffic")
    findings: list[Finding] = []
    if len(steps) >= 3:
        size = steps[0]
        if size > LINEAR_MAX:
            return None, [_too_big(size, "LinearStepSize", LINEAR_MAX, path)]
        reason = (
            f"{len(steps)} steps {steps}: SageMaker's CANARY has two steps, LINEAR shifts equal steps; "
            f"equal steps of the first step ({size}%)"
        )
        if size < LINEAR_MIN:
            findings.append(
                warn(
                    "SGM011",
                    f"SageMaker's linear steps are 10-50% of the variant's capacity: the first step {size}% is "
                    f"raised to {LINEAR_MIN}%",
                    path,
                    "use steps of at least 10%, or two steps (`[5, 100]`) for a 5% canary",
                )
            )
            size = LINEAR_MIN
            reason += f", raised to the minimum {LINEAR_MIN}%"
        return Routing("LINEAR", size, WAIT_S, termination, reason), findings
    if steps:
        size, source = steps[0], "first of rollout.steps"
    elif rollout.previous is not None:
        size, source = rollout.traffic, "rollout.traffic"
    else:
        size, source = DEFAULT_TRAFFIC[Strategy.CANARY], "no previous version yet: the canary default for updates"
    if not 1 <= size <= CANARY_MAX:
        return None, [_too_big(size, "CanarySize", CANARY_MAX, path)]
    return Routing("CANARY", size, WAIT_S, termination, f"canary of {size}% ({source}), then the rest"), []


def _too_big(size: int, field: str, limit: int, path: Path_) -> Finding:
    return refuse(
        "SGM010",
        f"SageMaker's {field} must be between 1 and {limit}% of the variant's capacity, not {size}%",
        path,
        (f"a first step of at most {limit}%", "`strategy: blue-green` to switch at once after a health check"),
    )


@dataclass(frozen=True)
class Variant:
    """One variant of the endpoint config: stable name, the Model resource it serves, its weight."""

    name: str
    model_id: str  # logical id of the Model resource: "Model" (new version) or "PreviousModel"
    weight: float
    shadow: bool = False


def variants(plan: Plan) -> list[Variant]:
    """Stable variant names (blue/green updates need the same names in the old and new config):
    `primary` serves; A/B: `champion` (previous, 100 - traffic) and `challenger` (new, traffic);
    shadow: `primary` (previous, live) plus the one shadow variant `shadow` (new, traffic / 100)."""
    rollout = plan.derived.rollout
    previous = rollout.previous
    if previous is not None and rollout.strategy is Strategy.AB:
        return [
            Variant("champion", "PreviousModel", float(previous.live_share)),
            Variant("challenger", "Model", float(rollout.new.live_share)),
        ]
    if rollout.shadow:
        return [
            Variant("primary", "PreviousModel", 1.0),
            Variant("shadow", "Model", rollout.new.mirrored_share / 100, shadow=True),
        ]
    # canary and blue-green: one variant; the live split is the update policy's (issue #14: not yet the
    # decided `rollout.new.live_share`)
    return [Variant("primary", "Model", 1.0)]


def shadow_refusal(count: int) -> Finding | None:
    """SageMaker: with ShadowProductionVariants, exactly one production and one shadow variant."""
    if count <= 1:
        return None
    return refuse(
        "SGM009",
        f"SageMaker allows one shadow variant beside one production variant, {count} shadows requested",
        ("rollout", "strategy"),
        ("shadow one candidate at a time", "`strategy: ab` to compare several versions on live traffic"),
    )
