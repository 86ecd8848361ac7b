from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mlopsc.compiler.ir import Json
from mlopsc.compiler.rules.base import Outcome, RuleResult
from mlopsc.compiler.spec.typed import Spec

LATENCY_FACTOR = 1.5
LATENCY_WINDOW_MIN = 10
ERROR_ALERT = 0.01
ERROR_PAGE = 0.05


class MonitoringDefaults:
    id: ClassVar[str] = "R007"
    title: ClassVar[str] = "Monitoring thresholds"
    description: ClassVar[str] = (
        "Drift: PSI monitor 0.1, investigate 0.2, retrain 0.25 unless `monitoring.drift.thresholds` says "
        "otherwise. Quality: investigate a 5% drop, retrain on 10%. Latency alerts fire when p95 stays above "
        "1.5 x the SLO (`monitoring.slo.p95_latency_ms`, else `serving.scale.latency_ms`) for 10 minutes. "
        "Error rate above 1% (or the SLO's `error_rate`) alerts; above 5% pages."
    )

    def apply(self, spec: Spec, decided: Mapping[str, Json]) -> RuleResult:
        mon = spec.monitoring
        out: list[Outcome] = []
        slo = mon.slo.p95_latency_ms if mon else None
        if slo is not None:
            out.append(
                Outcome(
                    "monitoring.latency_alert_ms",
                    LATENCY_FACTOR * slo,
                    f"1.5 x SLO {slo:g} ms",
                    ((("monitoring", "slo", "p95_latency_ms"), slo),),
                )
            )
        elif spec.serving.scale.latency_ms is not None:
            target = spec.serving.scale.latency_ms
            out.append(
                Outcome(
                    "monitoring.latency_alert_ms",
                    LATENCY_FACTOR * target,
                    f"no latency SLO: 1.5 x serving target {target:g} ms",
                    ((("serving", "scale", "latency_ms"), target),),
                    "default",
                )
            )
        else:
            out.append(
                Outcome("monitoring.latency_alert_ms", None, "no latency target: no latency alert", (), "default")
            )
        out.append(
            Outcome("monitoring.latency_alert_minutes", LATENCY_WINDOW_MIN, "sustained for 10 minutes", (), "default")
        )
        rate = mon.slo.error_rate if mon else None
        if rate is not None:
            out.append(
                Outcome(
                    "monitoring.error_rate_alert",
                    rate,
                    "SLO error rate",
                    ((("monitoring", "slo", "error_rate"), rate),),
                )
            )
        else:
            out.append(Outcome("monitoring.error_rate_alert", ERROR_ALERT, "default 1%", (), "default"))
        out.append(Outcome("monitoring.error_rate_page", max(ERROR_PAGE, rate or 0.0), "pages above 5%", (), "default"))
        drift = mon.drift if mon else None
        thresholds = drift.thresholds if drift else None
        for name in ("monitor", "investigate", "retrain"):
            written = drift is not None and "thresholds" in drift.written and name in drift.thresholds.written
            value = (
                getattr(thresholds, name) if thresholds else {"monitor": 0.1, "investigate": 0.2, "retrain": 0.25}[name]
            )
            path = ("monitoring", "drift", "thresholds", name)
            out.append(
                Outcome(
                    f"monitoring.drift.{name}",
                    value,
                    "given in the spec" if written else "PSI default",
                    ((path, value),) if written else (),
                    "derived" if written else "default",
                )
            )
        quality = mon.quality if mon else None
        for name, default in (("investigate_drop", 0.05), ("retrain_drop", 0.10)):
            written = quality is not None and name in quality.written
            value = getattr(quality, name) if quality else default
            out.append(
                Outcome(
                    f"monitoring.quality.{name}",
                    value,
                    "given in the spec" if written else "default",
                    ((("monitoring", "quality", name), value),) if written else (),
                    "derived" if written else "default",
                )
            )
        return RuleResult(tuple(out))
