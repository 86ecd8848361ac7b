from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Finding, Json
from mlopsc.compiler.rules.base import Outcome, RuleResult, error
from mlopsc.compiler.spec.model import Spec
from mlopsc.compiler.spec.vocabulary import Level, ServingMode, Strategy


class ProductionReadiness:
    id: ClassVar[str] = "R006"
    title: ClassVar[str] = "Production requirements"
    description: ClassVar[str] = (
        "At governance level `production` a model must have: an artifact digest, complete provenance "
        "(git_commit, dataset_snapshot_uri, environment_lockfile_uri), monitoring (a latency or error-rate SLO, "
        "or drift), a model card, a gradual rollout (not all-at-once) when it serves online, at least 2 "
        "replicas, and request/response capture. Each missing piece is an error at the place it belongs."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        if spec.governance.level is not Level.PRODUCTION:
            return RuleResult(
                (
                    Outcome(
                        "governance.production_checks",
                        False,
                        f"level `{spec.governance.level}`: production requirements do not apply",
                        ((("governance", "level"), spec.governance.level.value),),
                    ),
                )
            )
        found: list[Finding] = []
        model = spec.model
        if model.artifact.digest is None:
            found.append(
                error(
                    self,
                    "production needs the artifact's digest",
                    ("model", "artifact"),
                    "add `digest: sha256:<64 hex>` (sha256sum of the artifact)",
                )
            )
        prov = model.provenance
        for name in ("git_commit", "dataset_snapshot_uri", "environment_lockfile_uri"):
            if getattr(prov, name) is None:
                found.append(
                    error(
                        self,
                        f"production needs provenance: `{name}` is missing",
                        ("model", "provenance"),
                        "record how the model was built",
                    )
                )
        mon = spec.monitoring
        if mon is None or (mon.slo.p95_latency_ms is None and mon.slo.error_rate is None and mon.drift is None):
            found.append(
                error(
                    self,
                    "production needs monitoring: an SLO or drift detection",
                    ("monitoring",),
                    "add `monitoring.slo` and `monitoring.drift`",
                )
            )
        if mon is None or mon.capture is None:
            found.append(
                error(
                    self,
                    "production needs request/response capture",
                    ("monitoring",),
                    "add `monitoring.capture: {destination: ..., sample_percent: ...}`",
                )
            )
        if spec.governance.model_card is None:
            found.append(
                error(
                    self,
                    "production needs a model card",
                    ("governance",),
                    "add `governance.model_card` with intended_use and limitations",
                )
            )
        online = spec.serving.mode in (ServingMode.ONLINE, ServingMode.HYBRID)
        if online and decided.get("rollout.strategy") == Strategy.ALL_AT_ONCE.value:
            found.append(
                error(
                    self,
                    "production needs a gradual rollout, not all-at-once",
                    ("rollout", "strategy"),
                    "use canary, blue-green, shadow or ab",
                )
            )
        low = decided.get("serving.replicas.min")
        if online and isinstance(low, int) and low < 2:
            found.append(
                error(
                    self,
                    f"production needs at least 2 replicas, not {low}",
                    ("serving", "replicas", "min"),
                    "one replica cannot be updated or lost without an outage",
                )
            )
        return RuleResult(
            (
                Outcome(
                    "governance.production_checks",
                    True,
                    "level `production`",
                    ((("governance", "level"), "production"),),
                ),
            ),
            tuple(found),
        )
