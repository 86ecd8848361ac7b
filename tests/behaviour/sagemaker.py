"""A model of SageMaker hosting and Application Auto Scaling behind a CloudFormation stack, for tests: what
an endpoint serves after each stack operation (variants, traffic shares per model artifact, mirrored
share), how a deployment policy moves traffic over time, when auto-rollback can act, and which endpoint
updates AWS refuses.

Rules (each from the AWS page named; S = SageMaker, A = Application Auto Scaling):

- S1 API_CreateEndpointConfig / API_ProductionVariant: 1-10 production variants with unique names, each
  naming an existing model; `InitialVariantWeight` >= 0 (default 1.0), "the traffic to a production variant
  is determined by the ratio of the VariantWeight to the sum of all VariantWeight values across all
  ProductionVariants" (so the sum must be positive). With `ShadowProductionVariants`: exactly one
  production and one shadow variant.
- S2 API_UpdateEndpoint (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateEndpoint.html):
  an update deploys the new EndpointConfig to a new fleet and shifts traffic to it. With
  `RetainAllVariantProperties` the variants *of the same name* keep their current instance count and weight,
  except the properties listed in `ExcludeRetainedVariantProperties`.
- S3 Blue/green traffic shifting (deployment-guardrails-blue-green.html, -canary, -linear, -all-at-once;
  API_TrafficRoutingConfig): ALL_AT_ONCE moves all traffic to the new fleet, then bakes; CANARY moves
  `CanarySize` (at most 50% of the variant's instance count) then the rest after `WaitIntervalInSeconds`;
  LINEAR moves `LinearStepSize` (10-50% of the instance count) per step. Traffic shifts in whole instances
  (CapacitySize: "the endpoint activates based on the number of instances"). Whatever the mode, the update
  ends with all traffic on the new fleet: the endpoint then serves the new config's weights.
- S4 Auto-rollback (deployment-guardrails-configuration.html): an alarm of `AutoRollbackConfiguration` that
  trips during a baking period rolls all traffic back to the old fleet, and the update fails (so the stack
  update rolls back to the previous template). Outside an update nothing rolls back.
- S5 Exclusions (deployment-guardrails-exclusions.html): "When doing a blue/green or rolling deployment, your
  new endpoint configuration must have the same variant name as the old endpoint configuration." The model
  reads "must" strictly: an update with a `DeploymentConfig` whose production variant names differ fails.
- A1 Update endpoints that use auto scaling (endpoint-scaling-update.html): "If the update would change the
  instance type for any model that is a target for auto scaling, the update fails"; the variant must be
  deregistered first (DeregisterScalableTarget) also to remove an autoscaled production variant; changing
  only the model of an autoscaled variant is allowed.
- A2 API_RegisterScalableTarget: the `ResourceId` (`endpoint/<endpoint>/variant/<variant>`) must name an
  existing variant; registering it again updates the registration.
- A3 Delete endpoints configured for auto scaling (endpoint-delete-with-scaling.html): deleting the endpoint
  deregisters its variants.
- SH1 Shadow variants (botocore data/sagemaker/2017-07-24/service-2.json, CreateEndpointConfigInput
  ShadowProductionVariants: "If you use this field, you can only specify one variant for ProductionVariants and
  one variant for ShadowProductionVariants"; shadow-tests-create.html: "A production variant that receives and
  responds to 100 percent of the incoming inference requests" and "A shadow variant that receives a percentage
  of the incoming requests, replicated from the production variant, but does not return any responses"): the
  production variant answers every request whatever its weight; the shadow answers nobody.
- SH2 The share a shadow variant is sent (`Endpoint.mirrored`). The API reference defines InitialVariantWeight
  for production variants only ("the ratio of the VariantWeight to the sum of all VariantWeight values across
  all ProductionVariants"). AWS's shadow notebooks give the two readings of a shadow weight: relative to the
  production weight (aws/amazon-sagemaker-examples archived/shadow-console/Shadow_variant.ipynb: production
  weight 1, shadow weight 0.5, "to sample and send 50% of the production variant requests to the shadow
  variant. The production variant receives 100% of the traffic", which also rules out a share of the sum
  of both weights, 33%), and as the sampling fraction itself (deploy_and_monitor/sm-shadow_variant_shadow_api:
  "the traffic sampling percentage (VariantWeight parameter in the ShadowProductionVariants object)");
  model-shadow-deployment.html sets both weights to 1. The model gives the share only where the two readings
  agree (production weight 1, shadow weight 0-1) and raises `UndocumentedShare` elsewhere (production 100,
  shadow 20: 20% by the ratio, 2000% by the fraction): SageMaker accepts such a config, but what it copies
  is not documented.
- SH3 A promoted shadow keeps its variant name: AWS's promotion in the same notebook is "a new endpoint
  configuration with current ShadowProductionVariant as the new ProductionVariant and removing the
  ShadowProductionVariant" (its VariantName unchanged), and StopInferenceExperiment's `Promote` action
  "Promote the shadow variant to a production variant" (API_StopInferenceExperiment; the API notebook maps
  {"Shadow-01": "Promote", "AllTraffic": "Remove"} and the endpoint then serves `Shadow-01`). A variant that
  moves from ShadowProductionVariants to ProductionVariants (or back) is the same variant name on the
  endpoint; for S5 only production variant names count, and for A1 a variant that leaves the production
  variants is removed from them (the strict reading: AWS does not say a scalable target may follow a
  variant into shadow mode).
- M1 CloudFormation resource schemas (cfn-lint): every property of AWS::SageMaker::Model and
  AWS::SageMaker::EndpointConfig except Tags is create-only, and AWS::SageMaker::ModelPackageGroup's
  name and description are (tests/behaviour/cfn.py reads them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tests.behaviour.cfn import StackFailure

ENDPOINT = "AWS::SageMaker::Endpoint"
CONFIG = "AWS::SageMaker::EndpointConfig"
MODEL = "AWS::SageMaker::Model"
TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"


@dataclass(frozen=True)
class Variant:
    name: str
    model: str  # ModelName
    artifact: str  # the model's ModelDataUrl: what the tests call a version
    instance_type: str
    count: int
    weight: float
    shadow: bool = False


@dataclass(frozen=True)
class Deployment:
    """One endpoint update as SageMaker runs it (S3): the share of traffic on the new fleet after each shift,
    with the seconds waited before it, and whether alarms can roll it back (S4)."""

    mode: str  # ALL_AT_ONCE | CANARY | LINEAR | DEFAULT (no DeploymentConfig)
    shifts: tuple[tuple[int, float], ...]  # (seconds since start, percent of traffic on the new fleet)
    rollback_alarms: tuple[str, ...]
    rolled_back: bool = False


@dataclass
class Endpoint:
    name: str
    config: str
    variants: tuple[Variant, ...]
    deployments: list[Deployment] = field(default_factory=list)

    def shares(self) -> dict[str, float]:
        """Percent of live requests answered per model artifact (S1)."""
        live = [v for v in self.variants if not v.shadow]
        total = sum(v.weight for v in live)
        out: dict[str, float] = {}
        for v in live:
            out[v.artifact] = out.get(v.artifact, 0.0) + round(100 * v.weight / total, 6)
        return out

    def shadow_artifacts(self) -> tuple[str, ...]:
        return tuple(v.artifact for v in self.variants if v.shadow)

    def mirrored(self) -> dict[str, float]:
        """Percent of live requests copied to each shadow variant's model artifact (SH2)."""
        production = [v for v in self.variants if not v.shadow]
        out: dict[str, float] = {}
        for v in (v for v in self.variants if v.shadow):
            (answering,) = production  # SH1
            readings = {"ratio to the production weight": v.weight / answering.weight, "sampling fraction": v.weight}
            if len({round(r, 9) for r in readings.values()}) != 1 or not 0 <= v.weight <= 1:
                raise UndocumentedShare(
                    f"shadow `{v.name}` weight {v.weight:g} beside production weight {answering.weight:g}: "
                    + ", ".join(f"{k} {100 * r:g}%" for k, r in readings.items())
                )
            out[v.artifact] = round(100 * v.weight, 6)
        return out


class UndocumentedShare(Exception):
    """SH2: SageMaker accepts the config, but AWS documents no share for these weights."""


@dataclass
class SageMakerAccount:
    """SageMaker and Application Auto Scaling state of one account/region."""

    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    scalable: dict[str, dict[str, Any]] = field(default_factory=dict)  # ResourceId -> registration
    tripped: set[str] = field(default_factory=set)  # alarm names in ALARM during the next deployment

    def handles(self, type_: str) -> bool:
        return type_ in (ENDPOINT, CONFIG, MODEL, TARGET, POLICY)

    # --- create / update / delete ------------------------------------------------------------------------

    def create(self, logical: str, type_: str, props: dict[str, Any]) -> None:
        if type_ == MODEL:
            self.models[props["ModelName"]] = props
        elif type_ == CONFIG:
            self._check_config(logical, props)
            self.configs[props["EndpointConfigName"]] = props
        elif type_ == ENDPOINT:
            config = self._config(logical, props)
            self.endpoints[props["EndpointName"]] = Endpoint(
                props["EndpointName"], props["EndpointConfigName"], self._variants(config)
            )
        elif type_ == TARGET:
            self._register(logical, props)

    def update(self, logical: str, type_: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if type_ == ENDPOINT:
            if old["EndpointConfigName"] != new["EndpointConfigName"]:
                self._update_endpoint(logical, new)
        elif type_ == TARGET:
            self._register(logical, new)
        elif type_ == MODEL:
            self.models[new["ModelName"]] = new
        elif type_ == CONFIG:
            self.configs[new["EndpointConfigName"]] = new

    def delete(self, logical: str, type_: str, props: dict[str, Any]) -> None:
        if type_ == TARGET:
            self.scalable.pop(props["ResourceId"], None)
        elif type_ == ENDPOINT:
            self.endpoints.pop(props["EndpointName"], None)
            prefix = f"endpoint/{props['EndpointName']}/variant/"
            for rid in [r for r in self.scalable if r.startswith(prefix)]:  # A3
                del self.scalable[rid]
        elif type_ == CONFIG:
            self.configs.pop(props["EndpointConfigName"], None)
        elif type_ == MODEL:
            self.models.pop(props["ModelName"], None)

    # --- rules ---------------------------------------------------------------------------------------------

    def _check_config(self, logical: str, props: dict[str, Any]) -> None:
        production = props.get("ProductionVariants", [])
        shadows = props.get("ShadowProductionVariants", [])
        if not 1 <= len(production) <= 10:
            raise StackFailure(logical, f"{len(production)} production variants (1-10)", "S1")
        if shadows and (len(production), len(shadows)) != (1, 1):
            raise StackFailure(logical, "with shadow variants: exactly one production and one shadow", "S1")
        names = [v["VariantName"] for v in [*production, *shadows]]
        if len(set(names)) != len(names):
            raise StackFailure(logical, f"duplicate variant names {names}", "S1")
        for v in [*production, *shadows]:
            if v["ModelName"] not in self.models:
                raise StackFailure(logical, f"model `{v['ModelName']}` does not exist", "S1")
            if float(v.get("InitialVariantWeight", 1.0)) < 0:
                raise StackFailure(logical, "negative weight", "S1")
        if sum(float(v.get("InitialVariantWeight", 1.0)) for v in production) <= 0:
            raise StackFailure(logical, "the production weights sum to 0: nothing can answer", "S1")

    def _config(self, logical: str, props: dict[str, Any]) -> dict[str, Any]:
        config = self.configs.get(props["EndpointConfigName"])
        if config is None:
            raise StackFailure(logical, f"endpoint config `{props['EndpointConfigName']}` does not exist", "S2")
        return config

    def _variants(self, config: dict[str, Any]) -> tuple[Variant, ...]:
        out = []
        for shadow, key in ((False, "ProductionVariants"), (True, "ShadowProductionVariants")):
            for v in config.get(key, []):
                model = self.models[v["ModelName"]]
                container = model.get("PrimaryContainer", {})
                out.append(
                    Variant(
                        v["VariantName"],
                        v["ModelName"],
                        str(container.get("ModelDataUrl", v["ModelName"])),
                        v["InstanceType"],
                        int(v["InitialInstanceCount"]),
                        float(v.get("InitialVariantWeight", 1.0)),
                        shadow,
                    )
                )
        return tuple(out)

    def _register(self, logical: str, props: dict[str, Any]) -> None:
        rid = props["ResourceId"]
        parts = rid.split("/")
        endpoint = self.endpoints.get(parts[1]) if len(parts) == 4 else None
        if endpoint is None or parts[3] not in {v.name for v in endpoint.variants}:
            raise StackFailure(logical, f"`{rid}` is not a variant of a live endpoint", "A2")
        self.scalable[rid] = props

    def _update_endpoint(self, logical: str, props: dict[str, Any]) -> None:
        endpoint = self.endpoints[props["EndpointName"]]
        config = self._config(logical, props)
        new = self._variants(config)
        old_by_name = {v.name: v for v in endpoint.variants}
        new_by_name = {v.name: v for v in new}
        new_production = {v.name for v in new if not v.shadow}
        for rid in self.scalable:  # A1
            if not rid.startswith(f"endpoint/{endpoint.name}/variant/"):
                continue
            variant = rid.rsplit("/", 1)[1]
            before = old_by_name.get(variant)
            leaves = before is not None and not before.shadow and variant not in new_production  # SH3
            if variant not in new_by_name or leaves:
                where = "" if variant not in new_by_name else " from the production variants (into shadow mode)"
                raise StackFailure(
                    logical,
                    f"the update removes variant `{variant}`{where}, a target for auto scaling: deregister it first",
                    "A1",
                )
            if before is not None and before.instance_type != new_by_name[variant].instance_type:
                raise StackFailure(
                    logical,
                    f"the update changes the instance type of `{variant}` ({before.instance_type} -> "
                    f"{new_by_name[variant].instance_type}), a target for auto scaling: deregister it first",
                    "A1",
                )
        deployment_config = props.get("DeploymentConfig")
        old_names = sorted(v.name for v in endpoint.variants if not v.shadow)
        new_names = sorted(v.name for v in new if not v.shadow)
        if deployment_config and old_names != new_names:
            raise StackFailure(
                logical,
                f"a deployment with DeploymentConfig needs the same variant names ({old_names} -> {new_names})",
                "S5",
            )
        if props.get("RetainAllVariantProperties"):  # S2
            excluded = {e["VariantPropertyType"] for e in props.get("ExcludeRetainedVariantProperties", [])}
            kept = []
            for v in new:
                before = old_by_name.get(v.name)
                if before is not None and not v.shadow:
                    count = v.count if "DesiredInstanceCount" in excluded else before.count
                    weight = v.weight if "DesiredWeight" in excluded else before.weight
                    kept.append(Variant(v.name, v.model, v.artifact, v.instance_type, count, weight, v.shadow))
                else:
                    kept.append(v)
            new = tuple(kept)
        deployment = self._deployment(logical, deployment_config, new)
        endpoint.deployments.append(deployment)
        if deployment.rolled_back:  # S4: the endpoint is back on the old config and the update failed, so
            # CloudFormation rolls the stack back to the previous template (C4)
            raise StackFailure(logical, "an AutoRollbackConfiguration alarm tripped: SageMaker rolled back", "S4")
        endpoint.config = props["EndpointConfigName"]
        endpoint.variants = new

    def _deployment(self, logical: str, config: dict[str, Any] | None, new: tuple[Variant, ...]) -> Deployment:
        """S3/S4: how traffic moves to the new fleet, and whether a tripped alarm rolls it back."""
        if not config:
            return Deployment("DEFAULT", ((0, 100.0),), ())
        policy = config.get("BlueGreenUpdatePolicy", {})
        routing = policy.get("TrafficRoutingConfiguration", {})
        mode = routing.get("Type", "ALL_AT_ONCE")
        wait = int(routing.get("WaitIntervalInSeconds", 0))
        if not 0 <= wait <= 3600:
            raise StackFailure(logical, f"WaitIntervalInSeconds {wait} outside 0-3600", "S3")
        instances = min((v.count for v in new if not v.shadow), default=1)
        shifts: list[tuple[int, float]] = []
        if mode == "ALL_AT_ONCE":
            shifts = [(0, 100.0)]
        else:
            size = routing.get("CanarySize" if mode == "CANARY" else "LinearStepSize", {})
            if size.get("Type") == "INSTANCE_COUNT":
                step = int(size["Value"])
            else:  # CAPACITY_PERCENT, in whole instances (S3); the docs do not say how a fraction rounds: the
                # model rounds up (a canary is never empty), so 10% of 2 instances is 1 instance, half the traffic
                step = math.ceil(instances * int(size["Value"]) / 100)
            low, high = (1, instances / 2) if mode == "CANARY" else (max(1, instances * 0.1), instances / 2)
            if not low <= step <= high:
                raise StackFailure(
                    logical,
                    f"{mode} step of {size.get('Value')} {size.get('Type')} is {step} of {instances} instances "
                    f"(allowed {math.ceil(low)}-{math.floor(high)} of {instances})",
                    "S3",
                )
            first = round(100 * step / instances, 6)
            shifts = [(0, first)]
            at = first
            while at < 100:
                at = min(100.0, at + (first if mode == "LINEAR" else 100.0))
                shifts.append((wait * len(shifts), at))
        alarms = tuple(a["AlarmName"] for a in config.get("AutoRollbackConfiguration", {}).get("Alarms", []))
        rolled_back = any(a.removeprefix("ref:") in self.tripped for a in alarms)
        return Deployment(mode, tuple(shifts), alarms, rolled_back)
