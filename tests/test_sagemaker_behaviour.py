"""The CloudFormation / SageMaker behaviour model (tests/behaviour) on hand-written templates whose outcome the
AWS documentation states. Each test names the rule it holds the model to."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.behaviour.cfn import StackFailure, create_only
from tests.behaviour.sagemaker import UndocumentedShare
from tests.sagemaker_lifecycle import new_stack

ROLE = "arn:aws:iam::123456789012:role/sm"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"


def model(name: str, artifact: str) -> dict[str, Any]:
    return {
        "Type": "AWS::SageMaker::Model",
        "Properties": {
            "ModelName": name,
            "ExecutionRoleArn": ROLE,
            "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": artifact},
        },
    }


def variant(name: str, model_id: str, weight: float, instance: str = "ml.m5.large", count: int = 2) -> dict[str, Any]:
    return {
        "VariantName": name,
        "ModelName": {"Fn::GetAtt": [model_id, "ModelName"]},
        "InstanceType": instance,
        "InitialInstanceCount": count,
        "InitialVariantWeight": weight,
    }


def template(
    config_name: str,
    variants: list[dict[str, Any]],
    models: dict[str, tuple[str, str]],
    autoscaled: tuple[str, ...] = (),
    deployment: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    shadows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    resources: dict[str, Any] = {logical: model(name, uri) for logical, (name, uri) in models.items()}
    resources["EndpointConfig"] = {
        "Type": "AWS::SageMaker::EndpointConfig",
        "Properties": {"EndpointConfigName": config_name, "ProductionVariants": variants},
    }
    if shadows:
        resources["EndpointConfig"]["Properties"]["ShadowProductionVariants"] = shadows
    endpoint: dict[str, Any] = {
        "EndpointName": "ep",
        "EndpointConfigName": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]},
    }
    if deployment is not None:
        endpoint["DeploymentConfig"] = deployment
    resources["Endpoint"] = {"Type": "AWS::SageMaker::Endpoint", "Properties": endpoint}
    for name in autoscaled:
        resources[f"Target{name}"] = {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "DependsOn": ["Endpoint"],
            "Properties": {
                "ServiceNamespace": "sagemaker",
                "ResourceId": f"endpoint/ep/variant/{name}",
                "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "MinCapacity": 1,
                "MaxCapacity": 4,
            },
        }
    resources.update(extra or {})
    return {"Resources": resources}


ONE = {"ModelA": ("m-a", "s3://b/a.tar.gz")}
TWO = {"ModelA": ("m-a", "s3://b/a.tar.gz"), "ModelB": ("m-b", "s3://b/b.tar.gz")}


def test_schemas_say_which_properties_replace() -> None:
    # M1: the cfn-lint registry schemas, not a list of our own
    assert "PrimaryContainer" in create_only("AWS::SageMaker::Model")
    assert "Tags" not in create_only("AWS::SageMaker::Model")
    assert "ProductionVariants" in create_only("AWS::SageMaker::EndpointConfig")
    assert "Tags" not in create_only("AWS::SageMaker::EndpointConfig")
    assert "ModelPackageGroupDescription" in create_only("AWS::SageMaker::ModelPackageGroup")
    assert "EndpointConfigName" not in create_only("AWS::SageMaker::Endpoint")


def test_weights_split_traffic_by_ratio() -> None:
    # S1: "traffic weight 2 for model A and 1 for model B: two-thirds of the traffic to model A"
    stack, account = new_stack()
    stack.apply(template("c1", [variant("a", "ModelA", 2), variant("b", "ModelB", 1)], TWO))
    shares = account.endpoints["ep"].shares()
    assert shares == {"s3://b/a.tar.gz": pytest.approx(66.666667), "s3://b/b.tar.gz": pytest.approx(33.333333)}


def test_zero_total_weight_is_refused() -> None:
    stack, _ = new_stack()
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c1", [variant("a", "ModelA", 0)], ONE))
    assert failure.value.rule == "S1"


def test_a_model_change_on_an_autoscaled_variant_is_allowed() -> None:
    # A1: "If you change the model for a variant that is configured for auto scaling, ... allows the update"
    stack, account = new_stack()
    stack.apply(template("c1", [variant("primary", "ModelA", 1)], ONE, autoscaled=("primary",)))
    stack.apply(template("c2", [variant("primary", "ModelB", 1)], {"ModelB": ("m-b", "s3://b/b.tar.gz")}, ("primary",)))
    assert account.endpoints["ep"].shares() == {"s3://b/b.tar.gz": 100.0}


def test_an_instance_type_change_of_an_autoscaled_variant_fails() -> None:
    # A1: "If the update would change the instance type for any model that is a target for auto scaling, the
    # update fails"; the stack rolls back (C4)
    stack, account = new_stack()
    stack.apply(template("c1", [variant("primary", "ModelA", 1)], ONE, autoscaled=("primary",)))
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c2", [variant("primary", "ModelA", 1, "ml.c5.xlarge")], ONE, ("primary",)))
    assert failure.value.rule == "A1"
    assert account.endpoints["ep"].config == "c1"  # rolled back
    # without auto scaling the same change is a plain blue/green update
    stack2, account2 = new_stack()
    stack2.apply(template("c1", [variant("primary", "ModelA", 1)], ONE))
    stack2.apply(template("c2", [variant("primary", "ModelA", 1, "ml.c5.xlarge")], ONE))
    assert account2.endpoints["ep"].variants[0].instance_type == "ml.c5.xlarge"


def test_removing_an_autoscaled_variant_fails_because_cleanup_comes_last() -> None:
    # A1 + C2: the ScalableTarget removed from the template is deregistered only in the cleanup phase,
    # after the endpoint update that drops its variant
    stack, _ = new_stack()
    stack.apply(template("c1", [variant("a", "ModelA", 1), variant("b", "ModelB", 1)], TWO, autoscaled=("a", "b")))
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c2", [variant("a", "ModelA", 1)], TWO, autoscaled=("a",)))
    assert failure.value.rule == "A1"
    assert "removes variant `b`" in failure.value.message
    # two applies: drop the scaling target first, then the variant
    stack.apply(template("c1", [variant("a", "ModelA", 1), variant("b", "ModelB", 1)], TWO, autoscaled=("a",)))
    stack.apply(template("c2", [variant("a", "ModelA", 1)], TWO, autoscaled=("a",)))


def test_removing_a_variant_without_auto_scaling_is_one_update() -> None:
    stack, account = new_stack()
    stack.apply(template("c1", [variant("a", "ModelA", 9), variant("b", "ModelB", 1)], TWO, autoscaled=("a",)))
    stack.apply(template("c2", [variant("a", "ModelB", 1)], TWO, autoscaled=("a",)))
    assert account.endpoints["ep"].shares() == {"s3://b/b.tar.gz": 100.0}


def test_a_custom_named_resource_cannot_be_replaced() -> None:
    # C3: a create-only property changes while the custom name stays
    group = {
        "Type": "AWS::SageMaker::ModelPackageGroup",
        "Properties": {"ModelPackageGroupName": "g", "ModelPackageGroupDescription": "owner a"},
    }
    stack, _ = new_stack()
    stack.apply(template("c1", [variant("a", "ModelA", 1)], ONE, extra={"Group": group}))
    changed = copy.deepcopy(group)
    changed["Properties"]["ModelPackageGroupDescription"] = "owner b"
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c1", [variant("a", "ModelA", 1)], ONE, extra={"Group": changed}))
    assert failure.value.rule == "C3"


def test_a_name_still_held_until_cleanup_cannot_be_created() -> None:
    # C1/C2: the old physical resource lives until the cleanup phase; a new resource with its name collides
    stack, _ = new_stack()
    stack.apply(template("c1", [variant("a", "ModelA", 1)], ONE))
    swapped = {"ModelB": ("m-b", "s3://b/b.tar.gz"), "PreviousModel": ("m-a", "s3://b/a.tar.gz")}
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c2", [variant("a", "ModelB", 1), variant("b", "PreviousModel", 1)], swapped))
    assert failure.value.rule == "C2" and "already exists" in failure.value.message


def test_a_changed_config_is_replaced_and_the_endpoint_moves_to_it() -> None:
    # C1: new EndpointConfig first, the endpoint updated to it, the old config deleted in cleanup
    stack, account = new_stack()
    stack.apply(template("c1", [variant("a", "ModelA", 9), variant("b", "ModelB", 1)], TWO))
    actions = stack.apply(template("c2", [variant("a", "ModelA", 3), variant("b", "ModelB", 1)], TWO))
    kinds = {a.logical: a.kind for a in actions}
    assert kinds["EndpointConfig"] == "replace" and kinds["Endpoint"] == "update" and kinds["ModelA"] == "keep"
    assert set(account.configs) == {"c2"}
    assert account.endpoints["ep"].shares() == {"s3://b/a.tar.gz": 75.0, "s3://b/b.tar.gz": 25.0}


def test_a_canary_policy_ends_on_the_new_config_whatever_its_size() -> None:
    # S3: CANARY moves CanarySize, waits, then the rest: the update always ends with all traffic on the
    # new fleet, so the endpoint serves the new config
    canary = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "WaitIntervalInSeconds": 600,
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 50},
            }
        }
    }
    stack, account = new_stack()
    stack.apply(template("c1", [variant("primary", "ModelA", 1, count=4)], ONE, deployment=canary))
    models = {"ModelB": ("m-b", "s3://b/b.tar.gz")}
    stack.apply(template("c2", [variant("primary", "ModelB", 1, count=4)], models, deployment=canary))
    endpoint = account.endpoints["ep"]
    assert endpoint.deployments[-1].shifts == ((0, 50.0), (600, 100.0))
    assert endpoint.shares() == {"s3://b/b.tar.gz": 100.0}


def test_a_capacity_percent_moves_whole_instances() -> None:
    # S3: CapacitySize activates whole instances; API_TrafficRoutingConfig: CanarySize at most 50% of the
    # variant's instance count. A 10% canary of 2 instances moves one instance: half the traffic; of 1
    # instance it is more than half the fleet and refused.
    canary = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "WaitIntervalInSeconds": 600,
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
            }
        }
    }

    models = {"ModelB": ("m-b", "s")}
    stack, account = new_stack()
    stack.apply(template("c1", [variant("primary", "ModelA", 1)], ONE, deployment=canary))
    stack.apply(template("c2", [variant("primary", "ModelB", 1)], models, deployment=canary))
    assert account.endpoints["ep"].deployments[-1].shifts[0] == (0, 50.0)
    stack1, _ = new_stack()
    stack1.apply(template("c1", [variant("primary", "ModelA", 1, count=1)], ONE, deployment=canary))
    with pytest.raises(StackFailure) as failure:
        stack1.apply(template("c2", [variant("primary", "ModelB", 1, count=1)], models, deployment=canary))
    assert failure.value.rule == "S3"


def test_a_tripped_alarm_rolls_the_update_back() -> None:
    # S4: an AutoRollbackConfiguration alarm in ALARM during the bake returns all traffic to the old fleet
    guard = {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600}},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "ep-5xx"}]},
    }
    stack, account = new_stack()
    stack.apply(template("c1", [variant("primary", "ModelA", 1)], ONE, deployment=guard))
    account.tripped.add("ep-5xx")
    models = {"ModelB": ("m-b", "s3://b/b")}
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c2", [variant("primary", "ModelB", 1)], models, deployment=guard))
    assert failure.value.rule == "S4"
    assert account.endpoints["ep"].shares() == {"s3://b/a.tar.gz": 100.0}
    # without alarms in the update nothing watches it: the same tripped alarm changes nothing
    stack.apply(template("c2", [variant("primary", "ModelB", 1)], models))
    assert account.endpoints["ep"].shares() == {"s3://b/b": 100.0}


def test_guardrails_need_the_same_variant_names() -> None:
    # S5: with a DeploymentConfig the new config must have the old one's variant names; without one the
    # update is SageMaker's default blue/green and may add or drop variants
    routing = {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}
    guard = {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing}}
    stack, _ = new_stack()
    stack.apply(template("c1", [variant("primary", "ModelA", 1)], ONE, deployment=guard))
    two = [variant("primary", "ModelA", 95), variant("candidate", "ModelB", 5)]
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c2", two, TWO, deployment=guard))
    assert failure.value.rule == "S5"
    stack.apply(template("c2", two, TWO))


def test_a_config_whose_content_changes_under_the_same_name_cannot_update() -> None:
    # M1 + C3: every property of an EndpointConfig but Tags is create-only, so new weights need a new name
    stack, _ = new_stack()
    stack.apply(template("c1", [variant("a", "ModelA", 9), variant("b", "ModelB", 1)], TWO))
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c1", [variant("a", "ModelA", 3), variant("b", "ModelB", 1)], TWO))
    assert failure.value.rule == "C3"
    # a tag edit is an update in place under the same name
    tagged = template("c1", [variant("a", "ModelA", 9), variant("b", "ModelB", 1)], TWO)
    tagged["Resources"]["EndpointConfig"]["Properties"]["Tags"] = [{"Key": "team", "Value": "risk"}]
    actions = stack.apply(tagged)
    assert {a.logical: a.kind for a in actions}["EndpointConfig"] == "update"


def test_a_shadow_variant_is_sent_the_share_aws_documents() -> None:
    # SH1: the production variant answers every request; SH2: AWS's shadow notebook, production weight 1 and
    # shadow weight 0.5 -> "50% of the production variant requests" (not 0.5 / 1.5 = 33%)
    stack, account = new_stack()
    stack.apply(template("c1", [variant("prod", "ModelA", 1)], TWO, shadows=[variant("shadow", "ModelB", 0.5)]))
    endpoint = account.endpoints["ep"]
    assert endpoint.shares() == {"s3://b/a.tar.gz": 100.0}
    assert endpoint.mirrored() == {"s3://b/b.tar.gz": 50.0}
    # model-shadow-deployment.html: both weights 1, every request copied
    stack.apply(template("c2", [variant("prod", "ModelA", 1)], TWO, shadows=[variant("shadow", "ModelB", 1)]))
    assert endpoint.mirrored() == {"s3://b/b.tar.gz": 100.0}


def test_a_shadow_weight_outside_the_documented_form_has_no_share() -> None:
    # SH2: production 100 and shadow 20 read 20% against the production weight but 2000% as the sampling
    # fraction: SageMaker takes the config, AWS documents no share for it
    stack, account = new_stack()
    stack.apply(template("c1", [variant("prod", "ModelA", 100)], TWO, shadows=[variant("shadow", "ModelB", 20)]))
    with pytest.raises(UndocumentedShare, match="2000%"):
        account.endpoints["ep"].mirrored()


def test_a_shadow_needs_exactly_one_production_variant() -> None:
    # SH1 / S1: "you can only specify one variant for ProductionVariants and one variant for
    # ShadowProductionVariants"
    three = {**TWO, "ModelC": ("m-c", "s3://b/c.tar.gz")}
    stack, _ = new_stack()
    with pytest.raises(StackFailure) as failure:
        stack.apply(
            template(
                "c1",
                [variant("a", "ModelA", 1), variant("b", "ModelB", 1)],
                three,
                shadows=[variant("shadow", "ModelC", 1)],
            )
        )
    assert failure.value.rule == "S1"


def test_an_autoscaled_variant_cannot_move_into_shadow_mode_in_one_update() -> None:
    # A1 + SH3: a production variant registered for auto scaling that becomes the shadow leaves the production
    # variants (the strict reading); deregistered first, the same update applies, and the shadow keeps its name
    both = [variant("new", "ModelB", 20), variant("previous", "ModelA", 80)]
    shadow = {"shadows": [variant("new", "ModelB", 0.2)]}
    stack, account = new_stack()
    stack.apply(template("c1", both, TWO, autoscaled=("new", "previous")))
    with pytest.raises(StackFailure) as failure:
        stack.apply(template("c2", [variant("previous", "ModelA", 1)], TWO, ("previous",), **shadow))
    assert failure.value.rule == "A1" and "into shadow mode" in failure.value.message
    stack.apply(template("c1", both, TWO, autoscaled=("previous",)))
    stack.apply(template("c2", [variant("previous", "ModelA", 1)], TWO, ("previous",), **shadow))
    endpoint = account.endpoints["ep"]
    assert [(v.name, v.shadow) for v in endpoint.variants] == [("previous", False), ("new", True)]
    assert endpoint.mirrored() == {"s3://b/b.tar.gz": 20.0}
    # and back: the shadow becomes a production variant under its own name (SH3), then may be autoscaled (A2)
    stack.apply(template("c3", both, TWO, autoscaled=("new", "previous")))
    assert endpoint.shares() == {"s3://b/b.tar.gz": 20.0, "s3://b/a.tar.gz": 80.0} and endpoint.mirrored() == {}
