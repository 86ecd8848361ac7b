from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rules.base import Outcome, RuleResult, error
from mlopsc.compiler.spec.typed import Spec
from mlopsc.compiler.spec.vocabulary import Level

DEFAULT_RPS_PER_REPLICA = 100
AUTOSCALE_RPS = 1000


class ReplicasFromScale:
    id: ClassVar[str] = "R002"
    title: ClassVar[str] = "Replicas from scale"
    description: ClassVar[str] = (
        "When `serving.replicas` is absent: min is 2 in production (1 otherwise); max is "
        "max(min, ceil(1.5 x rps / rps_per_replica)), with `serving.scale.rps_per_replica` defaulting to 100 "
        "(reported as an assumption: measure it and write it down). The 1.5 leaves headroom for a replica "
        "lost during a rollout. Peak traffic above 1000 rps needs autoscaling: replicas.max must exceed min."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        scale = spec.serving.scale
        outcomes: list[Outcome] = []
        rpr = scale.rps_per_replica
        if rpr is None:
            rpr = DEFAULT_RPS_PER_REPLICA
            outcomes.append(
                Outcome(
                    "serving.scale.rps_per_replica",
                    rpr,
                    "not given: assumed 100 requests per second per replica; measure it",
                    (),
                    "assumption",
                )
            )
        else:
            outcomes.append(
                Outcome(
                    "serving.scale.rps_per_replica",
                    rpr,
                    "given in the spec",
                    ((("serving", "scale", "rps_per_replica"), rpr),),
                )
            )
        level = spec.governance.level
        given = spec.serving.replicas
        if given is not None:
            low, high = given.min, given.max
            outcomes.append(
                Outcome("serving.replicas.min", low, "given in the spec", ((("serving", "replicas", "min"), low),))
            )
            outcomes.append(
                Outcome("serving.replicas.max", high, "given in the spec", ((("serving", "replicas", "max"), high),))
            )
        else:
            low = 2 if level is Level.PRODUCTION else 1
            outcomes.append(
                Outcome(
                    "serving.replicas.min",
                    low,
                    f"governance level `{level}`: {'2 so one replica can fail' if low == 2 else '1'}",
                    ((("governance", "level"), level.value),),
                    "default",
                )
            )
            if scale.rps is not None:
                high = max(low, math.ceil(1.5 * scale.rps / rpr))
                outcomes.append(
                    Outcome(
                        "serving.replicas.max",
                        high,
                        f"max({low}, ceil(1.5 x {scale.rps:g} rps / {rpr:g} rps per replica))",
                        ((("serving", "scale", "rps"), scale.rps),),
                        "derived",
                    )
                )
            else:
                high = low
                outcomes.append(Outcome("serving.replicas.max", high, "no rps given: max = min", (), "default"))
        findings = []
        if scale.rps is not None and scale.rps > AUTOSCALE_RPS and high <= low:
            findings.append(
                error(
                    self,
                    f"{scale.rps:g} rps needs autoscaling, but replicas are fixed at {low}",
                    ("serving", "replicas"),
                    "give replicas.max above replicas.min, or remove `replicas` to derive them",
                )
            )
        outcomes.append(
            Outcome(
                "serving.autoscaling",
                high > low,
                f"replicas {low}..{high}" + (" scale on load" if high > low else " are fixed"),
            )
        )
        return RuleResult(tuple(outcomes), tuple(findings))
