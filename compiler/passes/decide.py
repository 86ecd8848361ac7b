"""decide: apply the decision rules to each environment; record what each decided and why."""

from __future__ import annotations

from mlopsc.compiler.diagnostics import Diagnostic, Severity, dotted
from mlopsc.compiler.ir import (
    Decided,
    Decision,
    DecisionInput,
    Derived,
    Environment,
    Json,
    Options,
    Plan,
    Unit,
    Validated,
)
from mlopsc.compiler.rules import RULES
from mlopsc.compiler.rules.base import Outcome
from mlopsc.compiler.rules.rollout import rollout_state
from mlopsc.compiler.source import environment_path, locate
from mlopsc.compiler.spec.typed import Spec
from mlopsc.compiler.spec.vocabulary import Strategy


def decide(validated: Validated, options: Options) -> Decided:
    unit = validated.unit
    plans: list[Plan] = []
    diagnostics: list[Diagnostic] = list(validated.diagnostics)
    for env in validated.environments:
        path_env = env.name
        decided: dict[str, Json] = {}
        decisions: list[Decision] = []
        failed = False
        for rule in RULES:
            try:
                result = rule.apply(env.spec, dict(decided))
            except Exception as exc:
                diagnostics.append(unit.crash(f"decision rule {rule.id}", exc))
                failed = True
                continue
            for outcome in result.outcomes:
                decided[outcome.field] = outcome.value
                decisions.append(_decision(unit, rule.id, outcome, path_env))
            diagnostics.extend(unit.diagnostic(f, path_env) for f in result.findings)
            failed = failed or any(f.severity is Severity.ERROR for f in result.findings)
        if not failed:
            plans.append(
                Plan(env.name, env.spec, _derived(decided, env.spec), tuple(decisions), env.document, env.override)
            )
    return Decided(unit, tuple(plans), options, tuple(diagnostics))


def _decision(unit: Unit, rule: str, outcome: Outcome, environment: str | None) -> Decision:
    inputs = []
    for path, value in outcome.inputs:
        where = environment_path(path, environment, unit.positions) if environment else path
        pos = locate(unit.positions, where)
        inputs.append(DecisionInput(dotted(where), value, pos.line, pos.col))
    return Decision(rule, outcome.field, outcome.value, outcome.reason, tuple(inputs), outcome.kind)  # type: ignore[arg-type]


def _derived(d: dict[str, Json], spec: Spec) -> Derived:
    def num(key: str) -> float:
        value = d[key]
        assert isinstance(value, int | float), key
        return float(value)

    alert = d.get("monitoring.latency_alert_ms")
    strategy = Strategy(str(d["rollout.strategy"]))
    traffic = int(num("rollout.traffic"))
    return Derived(
        strategy=strategy,
        replicas_min=int(num("serving.replicas.min")),
        replicas_max=int(num("serving.replicas.max")),
        rps_per_replica=num("serving.scale.rps_per_replica"),
        startup_timeout_s=int(num("serving.startup_timeout_s")),
        readiness_initial_delay_s=int(num("serving.readiness_initial_delay_s")),
        latency_alert_ms=float(alert) if isinstance(alert, int | float) else None,
        latency_alert_minutes=int(num("monitoring.latency_alert_minutes")),
        error_rate_alert=num("monitoring.error_rate_alert"),
        error_rate_page=num("monitoring.error_rate_page"),
        drift_monitor=num("monitoring.drift.monitor"),
        drift_investigate=num("monitoring.drift.investigate"),
        drift_retrain=num("monitoring.drift.retrain"),
        quality_investigate_drop=num("monitoring.quality.investigate_drop"),
        quality_retrain_drop=num("monitoring.quality.retrain_drop"),
        traffic=traffic,
        rollout=rollout_state(spec, strategy, traffic),
    )


__all__ = ["Environment", "decide"]
