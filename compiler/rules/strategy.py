from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rules.base import Outcome, RuleResult
from mlopsc.compiler.spec.typed import Spec
from mlopsc.compiler.spec.vocabulary import Risk, Strategy

BY_RISK = {Risk.LOW: Strategy.BLUE_GREEN, Risk.MEDIUM: Strategy.CANARY, Risk.HIGH: Strategy.SHADOW}


class StrategyFromRisk:
    id: ClassVar[str] = "R001"
    title: ClassVar[str] = "Rollout strategy from risk"
    description: ClassVar[str] = (
        "When `rollout.strategy` is absent it is chosen from `governance.risk`: low -> blue-green (switch once "
        "the new version is healthy), medium -> canary (a growing share of real traffic), high -> shadow (the "
        "new version sees mirrored traffic and answers nobody until promoted)."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        given = spec.rollout.strategy
        if given is not None:
            return RuleResult(
                (
                    Outcome(
                        "rollout.strategy",
                        given.value,
                        "given in the spec",
                        ((("rollout", "strategy"), given.value),),
                        "derived",
                    ),
                )
            )
        risk = spec.governance.risk
        chosen = BY_RISK[risk]
        return RuleResult(
            (
                Outcome(
                    "rollout.strategy",
                    chosen.value,
                    f"no strategy given; risk `{risk}` -> `{chosen}`",
                    ((("governance", "risk"), risk.value),),
                    "default",
                ),
            )
        )
