"""The endpoint's variants and update policy from the decided rollout (`plan.derived.rollout`).

The commit is the state: each value of `rollout.traffic` renders its own EndpointConfig, whose production
variants carry the decided live shares as weights ("the traffic to a production variant is determined by
the ratio of the VariantWeight to the sum of all VariantWeight values", API_ProductionVariant). SageMaker
routes by weight per request, not by instance, so 5% is 5% on one instance or ten. Nothing shifts on its
own after the update: `rollout next|promote|abort` are the only moves, and each is one stack update.

- One variant per deployed version, named by its role: `new` (the version being rolled out) and
  `previous` (the live version it replaces, kept deployed whenever the rollout model deploys it, 0%
  included, so promote, abort and the next version keep the same two names). Without a deployed
  previous version (first release, all-at-once) the endpoint has the one variant `new`.
- Shadow: `previous` is the one production variant, weight 1, and answers every request; `new` is the one
  ShadowProductionVariant, weight = the mirrored share / 100. That is the form of AWS's own shadow example
  (aws/amazon-sagemaker-examples, archived/shadow-console/Shadow_variant.ipynb: production weight 1, shadow
  weight 0.5, "to sample and send 50% of the production variant requests to the shadow variant. The
  production variant receives 100% of the traffic"), and the one form in which every reading AWS gives of a
  shadow weight agrees: relative to the production weight (that notebook) and as the traffic sampling
  fraction itself (deploy_and_monitor/sm-shadow_variant_shadow_api: "the traffic sampling percentage
  (VariantWeight parameter in the ShadowProductionVariants object)"). A production weight of 100 would make
  the two readings differ. `AWS::SageMaker::InferenceExperiment` (SamplingPercentage) is not used: it
  changes the stack's endpoint outside CloudFormation and ends by itself within 30 days (docs/targets/sagemaker.md).
- The update policy is a blue/green ALL_AT_ONCE deployment with a bake (deployment-guardrails-all-at-once):
  the new fleet takes the new config's weights once healthy; during the bake the `rollout.rollback.on`
  alarms watch the `new` variant and, when one trips, SageMaker returns the endpoint to the previous config
  (deployment-guardrails-configuration). SageMaker's own CANARY/LINEAR shifting is not used: it moves
  capacity to the new config by itself and would end at the new config's weights after its waits, so the
  decided share is the config's weights and the guardrail is the bake. The policy is rendered only with
  rollback alarms (without them it equals SageMaker's default update).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlopsc.compiler.ir import Finding, Json, Plan
from mlopsc.compiler.rolloutstate import Role
from mlopsc.targets.base import refuse

BAKE_S = 600  # the latency alarm's 10-minute window: a breach is seen before the old fleet goes
TERMINATION_WAIT_S = 600  # the old fleet kept 10 more minutes after the bake
PROVISIONING_S = 1800
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 600, 28800  # API_BlueGreenUpdatePolicy MaximumExecutionTimeoutInSeconds
SHADOW_PRODUCTION_WEIGHT = 1.0  # beside a shadow variant, whose weight is then the copied fraction (see above)


@dataclass(frozen=True)
class Variant:
    """One variant of the endpoint config: its name (the role), the version it serves, its weight."""

    role: Role
    version: str
    weight: float  # live share (production, out of 100); with a shadow: 1 (production), mirrored share / 100
    shadow: bool = False

    @property
    def name(self) -> str:
        return self.role.value


def variants(plan: Plan) -> list[Variant]:
    """The variants of the decided state, production first."""
    state = plan.derived.rollout
    out: list[Variant] = []
    for version in state.versions:
        if state.shadow and version.role is Role.NEW:
            out.append(Variant(version.role, version.version, version.mirrored_share / 100, shadow=True))
        elif state.shadow:  # the one production variant answers every request
            out.append(Variant(version.role, version.version, SHADOW_PRODUCTION_WEIGHT))
        else:
            out.append(Variant(version.role, version.version, float(version.live_share)))
    return sorted(out, key=lambda v: (v.shadow, v.role is not Role.NEW))


def instance_count(plan: Plan, variant: Variant, split: bool) -> int:
    """InitialInstanceCount: the replica floor; with a live split, the variant's share of the maximum (within
    the floor and the maximum), so a variant that goes from 5% to 95% is provisioned for 95% by the update."""
    derived = plan.derived
    if not split or variant.shadow:
        return derived.instances_min
    wanted = math.ceil(derived.replicas_max * variant.weight / 100)
    return max(derived.instances_min, min(derived.replicas_max, wanted))


def deployment(alarms: list[Json]) -> dict[str, Json] | None:
    """`DeploymentConfig` of the endpoint: ALL_AT_ONCE with a bake watched by the rollback alarms."""
    if not alarms:
        return None
    timeout = max(MIN_TIMEOUT_S, min(MAX_TIMEOUT_S, BAKE_S + TERMINATION_WAIT_S + PROVISIONING_S))
    return {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": BAKE_S},
            "TerminationWaitInSeconds": TERMINATION_WAIT_S,
            "MaximumExecutionTimeoutInSeconds": timeout,
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": a} for a in alarms]},
    }


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
