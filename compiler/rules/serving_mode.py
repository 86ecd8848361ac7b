from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rules.base import Outcome, RuleResult, error
from mlopsc.compiler.spec.typed import Spec
from mlopsc.compiler.spec.vocabulary import ServingMode


class ServingModeSupported:
    id: ClassVar[str] = "R000"
    title: ClassVar[str] = "Serving mode is one the platforms serve"
    description: ClassVar[str] = (
        "`edge` and `embedded` models run on devices or inside another program: none of KServe, SageMaker, "
        "Vertex AI or Azure ML serves them, so the spec is refused rather than rendered into something else. "
        "`online`, `batch` and `hybrid` (online plus scheduled batch scoring) are served."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        mode = spec.serving.mode
        if mode in (ServingMode.EDGE, ServingMode.EMBEDDED):
            return RuleResult(
                findings=(
                    error(
                        self,
                        f"serving mode `{mode}` is not served by KServe, SageMaker, Vertex AI or Azure ML",
                        ("serving", "mode"),
                        "package the model for the device with its own toolchain; use `online`, `batch` or `hybrid` "
                        "to serve it from a platform",
                    ),
                )
            )
        return RuleResult(
            (
                Outcome(
                    "serving.mode",
                    mode.value,
                    "served by the platforms",
                    ((("serving", "mode"), mode.value),),
                    "derived",
                ),
            )
        )
