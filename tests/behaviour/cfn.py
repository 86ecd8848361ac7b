"""A model of a CloudFormation stack create/update, for tests: what CloudFormation does to each resource when
a stack moves from one template to the next, in which order, and where it fails.

Rules (each from the AWS page named):

- C1 "Update behaviors of stack resources"
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html):
  a resource whose properties did not change is left alone; a change to an updatable property updates it in
  place; a change to a property that requires replacement recreates it (new physical id): CloudFormation
  creates the replacement first, points dependents at it, and deletes the old one afterwards. Which
  properties require replacement is the resource type's schema `createOnlyProperties` (the registry
  schemas that cfn-lint ships, read through `cfnlint.schema.PROVIDER_SCHEMA_MANAGER`).
- C2 "Monitor the progress of a stack update"
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html):
  new and changed resources are processed first, in dependency order (`DependsOn`, `Ref`, `Fn::GetAtt`,
  `Fn::Sub` references); resources removed from the template, and the old physical resources of replaced
  ones, are deleted afterwards in the cleanup phase (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS), dependents first.
- C3 "CloudFormation resource custom naming"
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html): "You
  can't perform an update that causes a custom-named resource to be replaced. If you must replace the
  resource, specify a new name." (re:Post knowledge-center/cloudformation-custom-name: the error
  "CloudFormation cannot update a stack when a custom-named resource requires replacing").
- C4 a failed resource operation fails the stack operation; an update then rolls back (same page as C2,
  "Events generated when a resource update fails"): the model reports the first failure and the account
  keeps its state from before the update.

What each resource operation does on the AWS side is the business of a `Service` (tests/behaviour/sagemaker.py
models SageMaker and Application Auto Scaling); resource types without one only need unique custom names.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Kind = Literal["create", "update", "replace", "delete", "keep"]
REGION = "us-east-1"

# The property that carries a resource's custom physical name (C3), for the types mlopsc renders.
NAME_PROPERTY: Mapping[str, str] = {
    "AWS::SageMaker::Model": "ModelName",
    "AWS::SageMaker::EndpointConfig": "EndpointConfigName",
    "AWS::SageMaker::Endpoint": "EndpointName",
    "AWS::SageMaker::ModelPackageGroup": "ModelPackageGroupName",
    "AWS::SageMaker::Pipeline": "PipelineName",
    "AWS::SageMaker::DataQualityJobDefinition": "JobDefinitionName",
    "AWS::SageMaker::MonitoringSchedule": "MonitoringScheduleName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "PolicyName",
    "AWS::IAM::Role": "RoleName",
}


class StackFailure(Exception):
    """A resource operation failed (C4): the stack operation fails and rolls back."""

    def __init__(self, logical: str, message: str, rule: str) -> None:
        super().__init__(f"{logical}: {message} [{rule}]")
        self.logical = logical
        self.message = message
        self.rule = rule


class Service(Protocol):
    """The AWS side of some resource types: raises StackFailure when AWS would refuse."""

    def handles(self, type_: str) -> bool: ...
    def create(self, logical: str, type_: str, props: dict[str, Any]) -> None: ...
    def update(self, logical: str, type_: str, old: dict[str, Any], new: dict[str, Any]) -> None: ...
    def delete(self, logical: str, type_: str, props: dict[str, Any]) -> None: ...


@functools.cache
def create_only(type_: str) -> tuple[str, ...]:
    """Top-level create-only properties of a resource type, from the schema cfn-lint ships (C1)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # type: ignore[import-untyped]

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, type_).schema
    paths = list(schema.get("createOnlyProperties", [])) + list(schema.get("conditionalCreateOnlyProperties", []))
    return tuple(sorted({p.split("/")[2] for p in paths if p.startswith("/properties/")}))


@dataclass(frozen=True)
class Action:
    logical: str
    type: str
    kind: Kind
    reason: str = ""  # the create-only properties that changed, for a replacement


@dataclass
class Deployed:
    """One resource as the stack holds it: its template entry with references resolved, and physical id."""

    type: str
    props: dict[str, Any]
    physical: str


@dataclass
class Stack:
    """A stack's resources after its last successful operation, and the account's services."""

    services: tuple[Service, ...]
    resources: dict[str, Deployed] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, custom name) -> logical id
    generation: int = 0
    history: list[list[Action]] = field(default_factory=list)

    def apply(self, template: Mapping[str, Any]) -> list[Action]:
        """Create or update the stack to ``template``; raise StackFailure (the stack and account keep their
        state, C4) or return what was done to each resource, in the order it was done."""
        backup = (copy.deepcopy(self.resources), dict(self.names), [copy.deepcopy(s) for s in self.services])
        try:
            actions = self._apply(template)
        except StackFailure:
            self.resources, self.names = backup[0], backup[1]
            for service, saved in zip(self.services, backup[2], strict=True):
                service.__dict__.update(saved.__dict__)
            raise
        self.history.append(actions)
        return actions

    # --- internals ----------------------------------------------------------------------------------------

    def _service(self, type_: str) -> Service | None:
        return next((s for s in self.services if s.handles(type_)), None)

    def _apply(self, template: Mapping[str, Any]) -> list[Action]:
        new: Mapping[str, Any] = template.get("Resources", {})
        order = _topological(new)
        self.generation += 1
        actions: list[Action] = []
        resolved: dict[str, Deployed] = {}
        replaced: dict[str, Deployed] = {}
        for logical in order:
            entry = new[logical]
            type_ = entry["Type"]
            props = _resolve(entry.get("Properties", {}), resolved)
            old = self.resources.get(logical)
            if old is not None and old.type != type_:
                raise StackFailure(logical, "a resource's Type cannot change: use a new logical id", "C1")
            name_prop = NAME_PROPERTY.get(type_)
            name = props.get(name_prop) if name_prop else None
            if old is None:
                kind: Kind = "create"
                reason = ""
            elif old.props == props:
                resolved[logical] = old
                actions.append(Action(logical, type_, "keep"))
                continue
            else:
                changed = sorted(k for k in set(old.props) | set(props) if old.props.get(k) != props.get(k))
                fixed = [k for k in changed if k in create_only(type_)]
                kind, reason = ("replace", ", ".join(fixed)) if fixed else ("update", ", ".join(changed))
            if kind == "replace" and name is not None and name == old.props.get(name_prop):  # type: ignore[union-attr]
                raise StackFailure(
                    logical,
                    f"CloudFormation cannot update a stack when a custom-named resource requires replacing "
                    f"({reason} changed, {name_prop} `{name}` did not)",
                    "C3",
                )
            physical = str(name) if name is not None else f"{logical}-{self.generation}"
            if kind == "update":
                assert old is not None
                physical = old.physical
            if kind in ("create", "replace") and name is not None:
                holder = self.names.get((type_, str(name)))
                if holder is not None:
                    raise StackFailure(
                        logical,
                        f"{type_} `{name}` already exists (held by {holder} until the cleanup phase)",
                        "C2",
                    )
            service = self._service(type_)
            if service is not None:
                if kind == "update":
                    assert old is not None
                    service.update(logical, type_, old.props, props)
                else:
                    service.create(logical, type_, props)
            if name is not None:
                self.names[(type_, str(name))] = logical
            if kind == "replace":
                assert old is not None
                replaced[logical] = old
            resolved[logical] = Deployed(type_, props, physical)
            actions.append(Action(logical, type_, kind, reason))
        # cleanup phase (C2): removed resources, then the old halves of replacements, dependents first
        removed = [lg for lg in reversed(_topological(self._templates_of(self.resources))) if lg not in new]
        for logical in removed:
            old = self.resources[logical]
            self._delete(logical, old)
            actions.append(Action(logical, old.type, "delete"))
        for logical, old in replaced.items():
            self._delete(logical, old)
        self.resources = resolved
        return actions

    def _delete(self, logical: str, old: Deployed) -> None:
        service = self._service(old.type)
        if service is not None:
            service.delete(logical, old.type, old.props)
        name_prop = NAME_PROPERTY.get(old.type)
        name = old.props.get(name_prop) if name_prop else None
        if name is not None and self.names.get((old.type, str(name))) == logical:
            del self.names[(old.type, str(name))]

    @staticmethod
    def _templates_of(resources: Mapping[str, Deployed]) -> dict[str, Any]:
        return {k: {"Type": v.type, "Properties": v.props} for k, v in resources.items()}


def _references(value: Any) -> set[str]:
    """Logical ids a template value refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub)."""
    out: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            out.add(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            out.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            out.update(v for v in re.findall(r"\$\{([A-Za-z0-9]+)\}", value["Fn::Sub"]))
        for v in value.values():
            out |= _references(v)
    elif isinstance(value, list):
        for v in value:
            out |= _references(v)
    return out


def _topological(resources: Mapping[str, Any]) -> list[str]:
    """Logical ids so that every resource comes after what it depends on (C2); ties in template order."""
    deps: dict[str, set[str]] = {}
    for logical, entry in resources.items():
        depends = entry.get("DependsOn", [])
        depends = [depends] if isinstance(depends, str) else list(depends)
        refs = _references(entry.get("Properties", {})) | set(depends)
        unknown = sorted(r for r in refs if r not in resources and not r.startswith("AWS::"))
        if unknown:
            raise StackFailure(logical, f"refers to {', '.join(unknown)}, which the template does not have", "C2")
        deps[logical] = {r for r in refs if r in resources}
    order: list[str] = []
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        if node in done:
            return
        if node in path:
            raise StackFailure(node, "circular dependency", "C2")
        for d in sorted(deps[node]):
            visit(d, (*path, node))
        done.add(node)
        order.append(node)

    for logical in resources:
        visit(logical, ())
    return order


def _resolve(value: Any, resolved: Mapping[str, Deployed]) -> Any:
    """The template value with references replaced by what they return: a name property's value when the
    attribute or Ref names it, else a token of the target's physical id (so a replacement is seen by its
    dependents, C1)."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            target = resolved.get(value["Ref"])
            if target is None:
                return f"${{{value['Ref']}}}"
            return f"ref:{target.physical}"
        if set(value) == {"Fn::GetAtt"}:
            logical, attribute = value["Fn::GetAtt"]
            target = resolved[logical]
            if NAME_PROPERTY.get(target.type) == attribute:
                return target.props.get(attribute)
            return f"att:{target.physical}.{attribute}"
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            return re.sub(
                r"\$\{([A-Za-z0-9]+)\}",
                lambda m: resolved[m.group(1)].physical if m.group(1) in resolved else m.group(0),
                value["Fn::Sub"],
            )
        return {k: _resolve(v, resolved) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, resolved) for v in value]
    return value
