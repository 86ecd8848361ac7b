from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rolloutstate import rollout_state
from mlopsc.compiler.rules.base import Outcome, RuleResult, error, note
from mlopsc.compiler.spec.typed import Spec
from mlopsc.compiler.spec.vocabulary import Strategy

__all__ = ["DEFAULT_TRAFFIC", "RolloutTraffic", "rollout_state"]

DEFAULT_TRAFFIC = {
    Strategy.CANARY: 10,
    Strategy.BLUE_GREEN: 0,
    Strategy.AB: 50,
    Strategy.SHADOW: 10,
    Strategy.ALL_AT_ONCE: 100,
}


class RolloutTraffic:
    id: ClassVar[str] = "R005"
    title: ClassVar[str] = "Where the rollout stands"
    description: ClassVar[str] = (
        "`rollout.traffic` is the share of traffic on the new version (for shadow: the share mirrored to it). "
        "When absent it is the first of `rollout.steps`, or by strategy: canary 10, blue-green 0 (the new "
        "version is deployed beside the old and switched when healthy), A/B 50, shadow 10, all-at-once 100. "
        "All-at-once always means 100 (a `traffic` share it inherits is noted, not applied). "
        "Without `rollout.previous` there is nothing to split with: the new version takes all traffic (a note), "
        "except for shadow, which needs a live version to mirror and is refused. "
        "From strategy and traffic the decide pass builds the rollout state every target translates "
        "(`compiler/rolloutstate.py`): the previous version is deployed beside the new one unless the rollout is "
        "all-at-once; canary, blue-green and A/B give the new version `traffic`% of live traffic and the "
        "previous one the rest; shadow leaves 100% live on the previous version and mirrors `traffic`% to the "
        "new one. `rollout next` moves to the next step above `traffic`, `promote` to 100, `abort` to 0."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        strategy = Strategy(str(decided["rollout.strategy"]))
        rollout = spec.rollout
        if rollout.previous is None:
            if strategy is Strategy.SHADOW:
                return RuleResult(
                    findings=(
                        error(
                            self,
                            "a shadow rollout mirrors traffic from the live version, but `rollout.previous` is not set",
                            ("rollout",),
                            "add `rollout.previous` (the live version), or use `all-at-once` for a first release",
                        ),
                    )
                )
            findings = (
                ()
                if strategy is Strategy.ALL_AT_ONCE
                else (
                    note(
                        self,
                        f"no `rollout.previous`: the {strategy} rollout starts with all traffic on the new version",
                        ("rollout",),
                        "add `rollout.previous` to split traffic with the live version",
                    ),
                )
            )
            return RuleResult((Outcome("rollout.traffic", 100, "no previous version to split with"),), findings)
        if strategy is Strategy.ALL_AT_ONCE:
            findings = (
                ()
                if rollout.traffic in (None, 100)
                else (
                    note(
                        self,
                        f"all-at-once sends all traffic to the new version: `traffic: {rollout.traffic}` does not "
                        "apply",
                        ("rollout", "traffic"),
                        "use canary or blue-green to split traffic",
                    ),
                )
            )
            return RuleResult(
                (
                    Outcome(
                        "rollout.traffic",
                        100,
                        "all-at-once: all traffic on the new version",
                        ((("rollout", "strategy"), strategy.value),),
                    ),
                ),
                findings,
            )
        if rollout.traffic is not None:
            return RuleResult(
                (
                    Outcome(
                        "rollout.traffic",
                        rollout.traffic,
                        "given in the spec",
                        ((("rollout", "traffic"), rollout.traffic),),
                    ),
                )
            )
        if rollout.steps:
            return RuleResult(
                (
                    Outcome(
                        "rollout.traffic",
                        rollout.steps[0],
                        "first of rollout.steps",
                        ((("rollout", "steps"), list(rollout.steps)),),
                        "default",
                    ),
                )
            )
        value = DEFAULT_TRAFFIC[strategy]
        return RuleResult((Outcome("rollout.traffic", value, f"default for {strategy}", (), "default"),))
