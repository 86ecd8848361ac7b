from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rules.base import Outcome, RuleResult, warning
from mlopsc.compiler.spec.typed import Spec

LARGE_GB = 1.0
BASE_STARTUP_S = 120
BASE_READINESS_DELAY_S = 10
STARTUP_PER_GB_S = 60
READINESS_PER_GB_S = 15
MAX_STARTUP_S = 1800


class ArtifactSize:
    id: ClassVar[str] = "R004"
    title: ClassVar[str] = "Startup time from artifact size"
    description: ClassVar[str] = (
        "A replica must download and load its model before it is ready. Startup timeout is 120 s, readiness "
        "delay 10 s; above 1 GB (`model.artifact.size_gb`) both grow per GB (60 s and 15 s, startup capped at "
        "30 minutes) and a warning suggests compression or multi-stage loading. Targets turn these into "
        "probes (KServe, Azure ML) and health-check timeouts (SageMaker)."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        size = spec.model.artifact.size_gb
        path = ("model", "artifact", "size_gb")
        if size is None or size <= LARGE_GB:
            reason = "artifact of 1 GB or less" if size is not None else "artifact size not given: standard timeouts"
            inputs = ((path, size),) if size is not None else ()
            return RuleResult(
                (
                    Outcome("serving.startup_timeout_s", BASE_STARTUP_S, reason, inputs, "default"),
                    Outcome("serving.readiness_initial_delay_s", BASE_READINESS_DELAY_S, reason, inputs, "default"),
                )
            )
        gb = math.ceil(size)
        startup = min(MAX_STARTUP_S, BASE_STARTUP_S + STARTUP_PER_GB_S * gb)
        delay = BASE_READINESS_DELAY_S + READINESS_PER_GB_S * gb
        return RuleResult(
            (
                Outcome(
                    "serving.startup_timeout_s", startup, f"{size:g} GB artifact: 120 s + 60 s x {gb}", ((path, size),)
                ),
                Outcome(
                    "serving.readiness_initial_delay_s",
                    delay,
                    f"{size:g} GB artifact: 10 s + 15 s x {gb}",
                    ((path, size),),
                ),
            ),
            (
                warning(
                    self,
                    f"the artifact is {size:g} GB: replicas start slowly",
                    path,
                    "compress the artifact or load it in stages; startup and readiness timeouts were raised",
                ),
            ),
        )
