"""resolve: for each environment and each platform to render, ask the target for concrete components."""

from __future__ import annotations

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import Decided, Finding, Plan, Resolved, Stack
from mlopsc.compiler.passes.capabilities import check


def platforms_for(plan: Plan, wanted: tuple[str, ...]) -> tuple[list[str], list[Finding]]:
    """The platforms to render: those the spec configures, narrowed by --target (in the registry's order;
    the registry is the one list of platforms, and a test holds its keys to the spec's `platforms`)."""
    from mlopsc.targets.registry import TARGETS

    configured = [p for p in TARGETS if getattr(plan.spec.platforms, p)]
    if not wanted:
        return configured, []
    missing = [
        Finding(
            "E114",
            Severity.ERROR,
            f"--target {name}: `platforms.{name}` is not configured",
            ("platforms",),
            f"add `platforms.{name}` with its settings, or drop --target {name}",
        )
        for name in wanted
        if name not in configured
    ]
    return [p for p in configured if p in wanted], missing


def resolve(decided: Decided, options: object = None) -> Resolved:
    from mlopsc.targets.registry import TARGETS

    unit = decided.unit
    stacks: list[Stack] = []
    diagnostics: list[Diagnostic] = list(decided.diagnostics)
    for plan in decided.plans:
        names, missing = platforms_for(plan, decided.options.targets)
        diagnostics.extend(unit.diagnostic(f, plan.environment) for f in missing)
        for name in names:
            target = TARGETS[name]
            try:
                refused = check(name, target.capabilities, plan)  # what the platform cannot do: one place, its table
                diagnostics.extend(unit.diagnostic(f, plan.environment) for f in refused)
                result = target.resolve(plan)
            except Exception as exc:
                diagnostics.append(unit.crash(f"target {name} (resolving)", exc))
                continue
            diagnostics.extend(unit.diagnostic(f, plan.environment) for f in result.findings)
            if result.stack is not None:
                stacks.append(result.stack)
    return Resolved(unit, decided.plans, tuple(stacks), decided.options, tuple(diagnostics))
