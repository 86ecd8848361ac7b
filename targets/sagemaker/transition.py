"""What one stack update between two rendered SageMaker templates cannot do, and the sequence that can.

Application Auto Scaling refuses an endpoint update that changes the instance type of a production variant
registered for auto scaling, or removes such a variant: the variant must be deregistered first
(https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html). CloudFormation deregisters a
ScalableTarget removed from the template only in the cleanup phase, after the endpoint update
(using-cfn-updating-stacks-monitor-stack.html), so one stack update cannot do it: `mlopsc diff` says so and
names the two commits that can (docs/targets/sagemaker.md, "Changing the instance type").

SageMaker's deployment guardrails need the new endpoint config to have the old one's variant names
(https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html): an update that adds or
drops a production variant while the endpoint has a `DeploymentConfig` (rollback alarms) is applied in two
commits too, the first without the alarms. That happens when a split starts from an endpoint that served one
version alone (the first rollout with `rollout.previous`, or after an all-at-once release) and when it ends
in one (all-at-once, or `rollout.previous` removed).
"""

from __future__ import annotations

from mlopsc.compiler.ir import Json

SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
ENDPOINT = "AWS::SageMaker::Endpoint"


def _resources(template: Json) -> dict[str, Json]:
    if isinstance(template, dict) and isinstance(template.get("Resources"), dict):
        return template["Resources"]  # type: ignore[return-value]
    return {}


def _autoscaled(template: Json) -> set[str]:
    """Variant names registered for auto scaling (`endpoint/<endpoint>/variant/<variant>`)."""
    out: set[str] = set()
    for resource in _resources(template).values():
        if isinstance(resource, dict) and resource.get("Type") == SCALABLE_TARGET:
            props = resource.get("Properties")
            if isinstance(props, dict) and isinstance(props.get("ResourceId"), str):
                out.add(str(props["ResourceId"]).rsplit("/", 1)[-1])
    return out


def _instance_types(template: Json) -> dict[str, str]:
    """Production variant name -> instance type."""
    out: dict[str, str] = {}
    for resource in _resources(template).values():
        if not (isinstance(resource, dict) and resource.get("Type") == ENDPOINT_CONFIG):
            continue
        props = resource.get("Properties")
        variants = props.get("ProductionVariants") if isinstance(props, dict) else None
        for v in variants if isinstance(variants, list) else []:
            if isinstance(v, dict):
                out[str(v.get("VariantName"))] = str(v.get("InstanceType"))
    return out


def _guarded(template: Json) -> bool:
    """Whether the endpoint's update carries a DeploymentConfig."""
    for resource in _resources(template).values():
        if isinstance(resource, dict) and resource.get("Type") == ENDPOINT:
            props = resource.get("Properties")
            return isinstance(props, dict) and "DeploymentConfig" in props
    return False


def blocked_updates(before: Json, after: Json) -> tuple[str, ...]:
    """Why the update from ``before`` to ``after`` fails in one apply (empty when it does not)."""
    old, new = _instance_types(before), _instance_types(after)
    out: list[str] = []
    if old and new and sorted(old) != sorted(new) and _guarded(after):
        out.append(
            f"this SageMaker update changes the endpoint's variants ({', '.join(sorted(old))} -> "
            f"{', '.join(sorted(new))}) while its update has rollback alarms, and SageMaker's deployment guardrails "
            "need the old variant names: apply it in two commits, first with `rollout.rollback.on: []`, then with "
            "the rollback alarms back"
        )
    for variant in sorted(_autoscaled(before)):
        if variant not in old:
            continue
        if variant not in new:
            change = f"removes the autoscaled variant `{variant}`"
        elif old[variant] != new[variant]:
            change = (
                f"changes the instance type of the autoscaled variant `{variant}` ({old[variant]} -> {new[variant]})"
            )
        else:
            continue
        out.append(
            f"this SageMaker update {change}, which AWS refuses while the variant is registered for auto scaling, "
            "and CloudFormation deregisters it only after the update: apply it in two commits, first with "
            "`serving.replicas.max` equal to `min` (auto scaling off), then this change"
        )
    return tuple(out)
