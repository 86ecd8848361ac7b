"""Where each environment of a KServe deployment lives, so that environments never share a namespace.

Every environment renders the same resource names (the InferenceService is the model's name: clients call it by
that name), so two environments applied to one cluster must differ by namespace, or the second apply overwrites
the first and two Argo CD Applications fight over the same objects. The namespace of an environment is:
- `environments.<env>.platforms.kserve.namespace` when the environment writes one (the user decides);
- otherwise `<platforms.kserve.namespace>-<env>`: the base namespace suffixed with the environment's name;
- a spec without `environments` renders one environment into `platforms.kserve.namespace` as written.
A suffixed name longer than a namespace may be (63 characters, a DNS-1123 label) is refused (KSV033).

Retraining: a `retraining` section written in the base is one training pipeline for the model, not one per
environment, so its CronJob is rendered in the environments at governance level `production` (where the model
it promotes serves); an environment that writes `retraining` itself gets its own. Elsewhere a note (KSV034) says
where it went. A spec without `environments` renders it as written.
"""

from __future__ import annotations

from collections.abc import Mapping

from mlopsc.compiler.ir import Plan
from mlopsc.compiler.spec.vocabulary import Level

NAMESPACE_MAX = 63  # a namespace is a DNS-1123 label


def _written(override: Mapping[str, object], path: tuple[str, ...]) -> object | None:
    node: object = override
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def namespace_for(plan: Plan) -> tuple[str, str]:
    """The namespace this environment renders into, and why."""
    platform = plan.spec.platforms.kserve
    assert platform is not None
    if plan.override is None:
        return platform.namespace, "platforms.kserve.namespace (the spec declares no environments)"
    if _written(plan.override, ("platforms", "kserve", "namespace")) is not None:
        return platform.namespace, f"environments.{plan.environment}.platforms.kserve.namespace"
    return (
        f"{platform.namespace}-{plan.environment}",
        f"one namespace per environment: platforms.kserve.namespace + `-{plan.environment}` (set "
        f"environments.{plan.environment}.platforms.kserve.namespace to choose another)",
    )


def retraining_here(plan: Plan) -> tuple[bool, str]:
    """Whether this environment runs the retraining schedule, and why."""
    if plan.override is None:
        return True, "the spec declares no environments"
    if _written(plan.override, ("retraining",)) is not None:
        return True, f"environments.{plan.environment}.retraining is written"
    if plan.spec.governance.level is Level.PRODUCTION:
        return True, "a base `retraining` runs in the production-level environments"
    return False, (
        f"a base `retraining` runs in the production-level environments, not in `{plan.environment}` "
        f"(level {plan.spec.governance.level.value})"
    )
