"""Decision rules, applied in this order by the decide pass; later rules read earlier decisions.

To add a rule: write a module with one class (id, title, description, apply) and list it here.
"""

from __future__ import annotations

from mlopsc.compiler.rules.artifact_size import ArtifactSize
from mlopsc.compiler.rules.base import Rule
from mlopsc.compiler.rules.latency import LatencyClass
from mlopsc.compiler.rules.monitoring import MonitoringDefaults
from mlopsc.compiler.rules.production import ProductionReadiness
from mlopsc.compiler.rules.replicas import ReplicasFromScale
from mlopsc.compiler.rules.rollout import RolloutTraffic
from mlopsc.compiler.rules.serving_mode import ServingModeSupported
from mlopsc.compiler.rules.strategy import StrategyFromRisk

RULES: tuple[Rule, ...] = (
    ServingModeSupported(),
    StrategyFromRisk(),
    ReplicasFromScale(),
    LatencyClass(),
    ArtifactSize(),
    RolloutTraffic(),
    ProductionReadiness(),
    MonitoringDefaults(),
)
