"""A model of how Azure ML model monitoring computes data-drift metrics and decides that a signal alerts.

Reproduced from Azure/azureml-assets, assets/model_monitoring/components/src/ (read at commit
4b41f8ccbc01cf492767adc586ce1661c54c340a):

- ``model_monitor_evaluate_metrics_threshold/evaluate_metrics_threshold.py``,
  ``calculate_metrics_breach``: rows whose metric is in ``Metric_Value_Should_Greater_Than_Threshold``
  breach when ``metric_value < threshold_value``; all other rows when ``metric_value >
  threshold_value``; rows with a null value or threshold are dropped first (``_clean_metrics_df``).
  A signal alerts (``send_email_for_breached``) when any row breaches.
- ``shared_utilities/constants.py``: the component's metric names for the CLI's snake_case names.
- ``data_drift_compute_metrics/categorical_data_drift_metrics.py``: ``_psi_categorical`` (PSI with
  +1 smoothing of every category's count) and ``_jensen_shannon_categorical``
  (``scipy.spatial.distance.jensenshannon(baseline, production, base=2)``: the square root of the
  Jensen-Shannon divergence in bits), here in plain Python.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

# CLI name (metric_thresholds keys) -> the component's name (shared_utilities/constants.py).
COMPONENT_NAME: Final[Mapping[str, str]] = {
    "two_sample_kolmogorov_smirnov_test": "TwoSampleKolmogorovSmirnovTest",
    "pearsons_chi_squared_test": "PearsonsChiSquaredTest",
    "jensen_shannon_distance": "JensenShannonDistance",
    "population_stability_index": "PopulationStabilityIndex",
    "normalized_wasserstein_distance": "NormalizedWassersteinDistance",
}

# evaluate_metrics_threshold.py, Metric_Value_Should_Greater_Than_Threshold (the data-drift ones; the
# list also holds NDCG and the generation-quality pass rates).
SHOULD_BE_GREATER_THAN_THRESHOLD: Final[frozenset[str]] = frozenset(
    {"TwoSampleKolmogorovSmirnovTest", "PearsonsChiSquaredTest", "NormalizedDiscountedCumulativeGain"}
)


def breached(metric: str, value: float | None, threshold: float | None) -> bool:
    """calculate_metrics_breach for one row (CLI metric name)."""
    if value is None or threshold is None:
        return False  # _clean_metrics_df drops the row
    name = COMPONENT_NAME[metric]
    if name in SHOULD_BE_GREATER_THAN_THRESHOLD:
        return value < threshold
    return value > threshold


def psi_categorical(baseline: Sequence[int], production: Sequence[int]) -> float:
    """_psi_categorical: PSI over categories, every count + 1 and the total + the number of categories."""
    nb, np_ = sum(baseline), sum(production)
    k = len(baseline)
    out = 0.0
    for b, p in zip(baseline, production, strict=True):
        q_i, p_i = (b + 1) / (nb + k), (p + 1) / (np_ + k)
        out += (p_i - q_i) * math.log(p_i / q_i)
    return out


def js_divergence_bits(baseline: Sequence[float], production: Sequence[float]) -> float:
    """The Jensen-Shannon divergence in bits of two frequency vectors (normalised as scipy does)."""
    sb, sp = sum(baseline), sum(production)
    q = [b / sb for b in baseline]
    p = [x / sp for x in production]
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]

    def kl(x: list[float]) -> float:
        return sum(xi * math.log2(xi / mi) for xi, mi in zip(x, m, strict=True) if xi > 0)

    return max(0.0, (kl(p) + kl(q)) / 2)


def js_distance_categorical(baseline: Sequence[int], production: Sequence[int]) -> float:
    """_jensen_shannon_categorical: scipy's jensenshannon(base=2), the square root of the divergence."""
    return math.sqrt(js_divergence_bits([float(b) for b in baseline], [float(p) for p in production]))


AZURE_CATEGORICAL: Final = {
    "population_stability_index": psi_categorical,
    "jensen_shannon_distance": js_distance_categorical,
}


def alerting_signals(doc: Mapping[str, Any], side: str, values: Mapping[str, float]) -> set[str]:
    """The data_drift signals of a monitorSchedule that alert when Azure computes ``values`` (metric -> value)."""
    out: set[str] = set()
    signals = doc["create_monitor"]["monitoring_signals"]
    for name, signal in signals.items():
        if signal.get("type") != "data_drift":
            continue
        for metric, threshold in (signal.get("metric_thresholds", {}).get(side) or {}).items():
            if breached(metric, values.get(metric), threshold):
                out.add(name)
    return out


def level_order_problems(doc: Mapping[str, Any]) -> list[str]:
    """mlopsc's investigate signal must alert whenever its retrain signal does, for any metric value.

    For one metric, the set of values that breach is a half-line (below or above the threshold), so
    it is enough to check the thresholds against Azure's direction.
    """
    signals = doc.get("create_monitor", {}).get("monitoring_signals", {})
    by_level = {s.get("properties", {}).get("mlopsc-level"): s for s in signals.values() if isinstance(s, Mapping)}
    low, high = by_level.get("investigate"), by_level.get("retrain")
    if low is None or high is None:
        return []
    problems: list[str] = []
    for side in ("numerical", "categorical"):
        lows = low.get("metric_thresholds", {}).get(side) or {}
        highs = high.get("metric_thresholds", {}).get(side) or {}
        for metric in sorted(set(lows) | set(highs)):
            if metric not in lows or metric not in highs:
                problems.append(f"{side}.{metric}: only one of the investigate and retrain signals measures it")
                continue
            a, b = float(lows[metric]), float(highs[metric])
            # probe just past the retrain threshold, on the side Azure alerts on
            below = COMPONENT_NAME[metric] in SHOULD_BE_GREATER_THAN_THRESHOLD
            probe = b - 1e-9 if below else b + 1e-9
            if breached(metric, probe, b) and not breached(metric, probe, a):
                direction = "below" if below else "above"
                problems.append(
                    f"{side}.{metric}: Azure alerts {direction} the threshold, so retrain ({b:g}) fires before "
                    f"investigate ({a:g})"
                )
    return problems
