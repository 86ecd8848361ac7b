from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rules.base import Outcome, RuleResult, error, note, warning
from mlopsc.compiler.spec.typed import Spec

TIGHT_MS = 50
OPTIMISE_MS = 100
BATCH_WOULD_DO_MS = 500


class LatencyClass:
    id: ClassVar[str] = "R003"
    title: ClassVar[str] = "Latency class"
    description: ClassVar[str] = (
        "For online and hybrid serving, the p95 target `serving.scale.latency_ms` is classed: under 50 ms is a "
        "conflicting requirement (network and serialisation alone take that) unless an optimisation is declared "
        "in `model.optimizations` (quantization, distillation, pruning, onnx); 50-100 ms warns to optimise; "
        "500 ms and more notes that batch scoring would do."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        latency = spec.serving.scale.latency_ms
        if latency is None or not spec.serving.mode.serves_online:
            return RuleResult()
        path = ("serving", "scale", "latency_ms")
        inputs = ((path, latency),)
        optimised = bool(spec.model.optimizations)
        if latency < TIGHT_MS:
            if not optimised:
                return RuleResult(
                    findings=(
                        error(
                            self,
                            f"p95 latency {latency:g} ms is below {TIGHT_MS} ms with no optimisation declared",
                            path,
                            "declare `model.optimizations` (quantization, distillation, pruning, onnx) or relax "
                            "the latency target",
                        ),
                    )
                )
            return RuleResult(
                (
                    Outcome(
                        "serving.latency_class",
                        "tight",
                        "under 50 ms with optimisations " + ", ".join(o.value for o in spec.model.optimizations),
                        inputs,
                    ),
                )
            )
        if latency < OPTIMISE_MS:
            return RuleResult(
                (Outcome("serving.latency_class", "fast", "50-100 ms", inputs),),
                (
                    warning(
                        self,
                        f"p95 latency {latency:g} ms leaves little room: optimise the model",
                        path,
                        "consider quantization or an ONNX export, and measure p95 under load",
                    ),
                ),
            )
        if latency >= BATCH_WOULD_DO_MS:
            return RuleResult(
                (Outcome("serving.latency_class", "relaxed", "500 ms or more", inputs),),
                (
                    note(
                        self,
                        f"p95 latency {latency:g} ms: batch scoring may serve this use case for less",
                        path,
                        "`serving.mode: batch` or `hybrid`",
                    ),
                ),
            )
        return RuleResult((Outcome("serving.latency_class", "standard", "100-500 ms", inputs),))
