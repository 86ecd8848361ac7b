"""The spec's drift thresholds as Azure ML data-drift ``metric_thresholds``, in Azure's units and direction.

The spec's three thresholds are levels of one drift statistic that grows with drift
(``monitor <= investigate <= retrain``, checked in passes/crosscheck.py), so a signal at a higher
level must never alert before one at a lower level. Azure ML evaluates every computed metric
against its threshold in ``calculate_metrics_breach`` (Azure/azureml-assets,
assets/model_monitoring/components/src/model_monitor_evaluate_metrics_threshold/
evaluate_metrics_threshold.py): a metric listed in ``Metric_Value_Should_Greater_Than_Threshold``
(the two p-value tests, ``TwoSampleKolmogorovSmirnovTest`` and ``PearsonsChiSquaredTest``) breaches
when its value is *below* the threshold; every other metric (the distances) when it is *above*.

What Azure computes (same repository, src/data_drift_compute_metrics/):

- ``population_stability_index``: ``sum (p_i - q_i) ln(p_i / q_i)`` over histogram bins (numerical,
  ``_psi_numerical``) or categories (``_psi_categorical``), counts smoothed by +1: the spec's PSI.
  The spec's threshold is kept; it alerts above.
- ``jensen_shannon_distance``: ``scipy.spatial.distance.jensenshannon(q, p, base=2)``
  (``_jensen_shannon_numerical``, ``_jensen_shannon_categorical``), the *square root* of the
  Jensen-Shannon divergence in bits. The spec's ``jensen-shannon`` thresholds are divergences in
  bits (as Vertex AI measures them, targets/vertex/drift.py keeps them unchanged), so Azure's
  threshold is ``sqrt(t)``; it alerts above. A divergence in bits is at most 1: a threshold above 1
  could never fire and is refused.
- ``two_sample_kolmogorov_smirnov_test`` (``_ks2sample_pandas_impl``) and ``pearsons_chi_squared_test``
  (``_chisquaretest``) are the *p-values* of the tests (``ks_2samp(...).pvalue``,
  ``chisquare(...).pvalue``). They fall as drift grows and alert below. The spec's ``ks`` and ``chi2``
  thresholds are levels of the statistics (the KS distance that SageMaker applies to its L-infinity
  distance; the chi-squared statistic), and a p-value for a given statistic depends on both windows'
  row counts, which the spec does not fix: no threshold translation keeps the spec's meaning, so
  both methods are refused (AML020) with the methods Azure measures as the spec does. Azure's KS
  test also raises on any window of 10,000 rows or more (``DATASET_SIZE`` in
  ``_ks2sample_pandas_impl``), so a KS monitor fails at any real traffic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from mlopsc.targets.azureml.catalog import CatalogError

ABOVE: Final = "above"
BELOW: Final = "below"

# metric name in the CLI's metric_thresholds -> when Azure alerts (evaluate_metrics_threshold.py,
# Metric_Value_Should_Greater_Than_Threshold; the CLI names map to the component's
# shared_utilities/constants.py names: two_sample_kolmogorov_smirnov_test -> TwoSampleKolmogorovSmirnovTest ...).
ALERTS_WHEN: Final[Mapping[str, str]] = {
    "jensen_shannon_distance": ABOVE,
    "normalized_wasserstein_distance": ABOVE,
    "population_stability_index": ABOVE,
    "two_sample_kolmogorov_smirnov_test": BELOW,
    "pearsons_chi_squared_test": BELOW,
}

# The methods Azure measures with the spec's statistic, for the refusal's alternatives.
TRANSLATED: Final[tuple[str, ...]] = ("psi", "jensen-shannon")
REFUSED: Final[Mapping[str, str]] = {
    "ks": "two_sample_kolmogorov_smirnov_test",
    "chi2": "pearsons_chi_squared_test",
}
JS_DIVERGENCE_MAX: Final = 1.0  # bits


@dataclass(frozen=True)
class Translation:
    """Azure's ``metric_thresholds`` for one spec threshold, and how it was obtained (for ``explain``)."""

    thresholds: dict[str, dict[str, float]]
    formula: str


def translate(method: str, threshold: float) -> Translation:
    """The data_drift ``metric_thresholds`` (numerical and categorical) for a spec ``method`` threshold.

    Raises CatalogError (the message is the reason, the alternatives what works) for ks and chi2,
    for an unknown method, and for a jensen-shannon threshold above 1 bit.
    """
    if method in REFUSED:
        raise CatalogError(
            f"Azure ML computes `{method}` drift as the p-value of the test ({REFUSED[method]}, alerting when "
            "the p-value falls below the threshold), not as the test statistic the spec's thresholds measure; "
            "a p-value for a given statistic depends on the row counts of both windows, so the thresholds "
            "cannot be translated",
            tuple(f"`method: {m}`" for m in TRANSLATED),
        )
    if method == "psi":
        metric, value, formula = "population_stability_index", threshold, f"PSI {threshold:g}, alert above"
    elif method == "jensen-shannon":
        if threshold > JS_DIVERGENCE_MAX:
            raise CatalogError(
                f"a Jensen-Shannon divergence is at most {JS_DIVERGENCE_MAX:g} bit: the threshold {threshold:g} "
                "could never fire",
                ("a threshold between 0 and 1",),
            )
        metric = "jensen_shannon_distance"
        value = round(math.sqrt(threshold), 6)
        formula = f"JS distance = sqrt(JS divergence) = sqrt({threshold:g}) = {value:g}, alert above"
    else:
        raise CatalogError(f"unknown drift method {method!r}", (*TRANSLATED, *REFUSED))
    return Translation({"numerical": {metric: value}, "categorical": {metric: value}}, formula)
