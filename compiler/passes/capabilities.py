"""A step of resolve: compare the decided state with a target's capability table (targets/capabilities.py).

This is the one place that reports what a platform cannot do with the decided rollout and replicas;
targets translate what passes and never refuse these themselves. To add a refusal: give the flag in the
target's ``capabilities`` a ``Refusal`` (its code, message and alternatives), and, when the condition is
new, one branch below that reads the decided state (``plan.derived.rollout``, ``plan.derived``).
"""

from __future__ import annotations

from enum import Enum

from mlopsc.compiler.ir import Finding, Plan
from mlopsc.compiler.rolloutstate import LIVE_SPLIT_STRATEGIES
from mlopsc.compiler.spec.vocabulary import Protocol, Strategy
from mlopsc.targets.capabilities import Capabilities, PrivateSplits, Refusal
from mlopsc.targets.secrets import reference, secret_vars


def check(platform: str, capabilities: Capabilities, plan: Plan) -> tuple[Finding, ...]:
    """The findings for what `plan` decides but `platform` cannot do: secrets it has no reference for,
    and (online serving: they concern the endpoint) the protocol, the rollout and the replica floor."""
    out: list[Finding] = []
    for var, secret in secret_vars(plan.spec):
        if reference(plan.spec, secret, platform) is None:
            _report(out, capabilities.secrets.missing, {"secret": secret, "var": var})
    if not plan.spec.serving.mode.serves_online:
        return tuple(out)
    derived = plan.derived
    state = derived.rollout
    fields = {"strategy": str(state.strategy), "traffic": state.traffic, "replicas_min": derived.replicas_min}
    if plan.spec.serving.protocol is Protocol.GRPC and not capabilities.grpc.supported:
        _report(out, capabilities.grpc.refusal, fields)
    if derived.replicas_min < 1 and not capabilities.scale_to_zero.supported:
        _report(out, capabilities.scale_to_zero.refusal, fields)
    mirroring = capabilities.mirroring
    if state.strategy is Strategy.SHADOW:
        if not mirroring.supported:
            _report(out, mirroring.refusal, {**fields, "max": mirroring.max_share})
        elif any(v.mirrored_share > mirroring.max_share for v in state.versions):
            _report(out, mirroring.over_max, {**fields, "max": mirroring.max_share})
    private = capabilities.private_splits
    if (
        isinstance(private, PrivateSplits)
        and not private.supported
        and private.network
        and state.previous is not None
        and state.strategy in LIVE_SPLIT_STRATEGIES
        and _setting(plan, private.network) is not None
    ):
        _report(out, private.refusal, fields)
    split = capabilities.live_split
    needs = split.requires
    if (
        needs is not None
        and state.previous is not None
        and state.strategy in split.requires_for
        and _setting(plan, needs.path) != needs.value
    ):
        _report(out, needs.refusal, fields)
    return tuple(out)


def _report(out: list[Finding], refusal: Refusal | None, fields: dict[str, object]) -> None:
    if refusal is None:  # the platform renders the nearest it can without a diagnostic (see the table's note)
        return
    alternatives = tuple(a.format(**fields) for a in refusal.alternatives)
    hint = refusal.hint.format(**fields) or ("alternatives: " + "; ".join(alternatives) if alternatives else "")
    path = tuple(part.format(**fields) if isinstance(part, str) else part for part in refusal.path)
    out.append(Finding(refusal.code, refusal.severity, refusal.message.format(**fields), path, hint))


def _setting(plan: Plan, path: tuple[str, ...]) -> str | None:
    node: object = plan.spec
    for part in path:
        node = getattr(node, part, None)
        if node is None:
            return None
    return str(node.value) if isinstance(node, Enum) else str(node)
