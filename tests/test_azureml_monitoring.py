"""Azure ML drift monitors alert as the spec declares: investigate before retrain, at the spec's levels.

The behaviour model (tests/validators/azureml_monitor.py) reproduces how azureml-assets' monitoring
components compute PSI and the Jensen-Shannon distance and decide a breach (p-value tests alert below
their threshold, distances above). A sweep of production distributions drifting away from the
baseline is run through it against the rendered monitor.yaml.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from mlopsc.compiler.diagnostics import Severity
from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from mlopsc.targets.azureml import drift
from mlopsc.targets.azureml.catalog import CatalogError
from tests.golden_cases import ROOT, TODAY
from tests.validators.azureml import load_azureml
from tests.validators.azureml_monitor import (
    AZURE_CATEGORICAL,
    alerting_signals,
    js_divergence_bits,
    level_order_problems,
    psi_categorical,
)

BASE = ROOT / "golden" / "azureml-monitoring" / "mlops.yaml"
BASELINE = [400, 300, 200, 100]  # category counts of the reference window
TARGET = [50, 100, 250, 600]  # where production drifts to


def _spec(method: str, thresholds: dict[str, float]) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    doc["monitoring"]["drift"]["method"] = method
    doc["monitoring"]["drift"]["thresholds"] = thresholds
    return doc


def _compile(doc: dict[str, Any]) -> Any:
    return run("mlops.yaml", yaml.safe_dump(doc, sort_keys=False).encode(), Options(targets=("azureml",), today=TODAY))


def _monitor(doc: dict[str, Any]) -> dict[str, Any]:
    result = _compile(doc)
    assert isinstance(result, Emitted), [d.message for d in result.diagnostics]
    (file,) = [f for f in result.files if f.path.endswith("/azureml/monitor.yaml")]
    loaded: dict[str, Any] = yaml.safe_load(file.content)
    return loaded


def _drifted(weight: float) -> list[int]:
    return [round((1 - weight) * b * 10 + weight * t * 10) for b, t in zip(BASELINE, TARGET, strict=True)]


def _spec_statistic(method: str, production: list[int]) -> float:
    if method == "psi":
        return psi_categorical(BASELINE, production)
    return js_divergence_bits([float(b) for b in BASELINE], [float(p) for p in production])


@pytest.mark.parametrize(
    ("method", "thresholds"),
    [
        ("psi", {"monitor": 0.1, "investigate": 0.2, "retrain": 0.25}),
        ("psi", {"monitor": 0.05, "investigate": 0.1, "retrain": 0.5}),
        ("jensen-shannon", {"monitor": 0.05, "investigate": 0.1, "retrain": 0.2}),
        ("jensen-shannon", {"monitor": 0.01, "investigate": 0.02, "retrain": 0.15}),
    ],
)
def test_signals_alert_at_the_spec_levels_investigate_first(method: str, thresholds: dict[str, float]) -> None:
    monitor = _monitor(_spec(method, thresholds))
    assert level_order_problems(monitor) == []
    retrain = monitor["create_monitor"]["monitoring_signals"]["drift-retrain"]
    (metric,) = set(retrain["metric_thresholds"]["categorical"])
    seen: set[frozenset[str]] = set()
    for step in range(101):
        production = _drifted(step / 100)
        statistic = _spec_statistic(method, production)
        if any(abs(statistic - t) < 1e-3 for t in thresholds.values()):
            continue  # too close to a threshold for the rounding of the rendered value
        azure_value = AZURE_CATEGORICAL[metric](BASELINE, production)
        fired = alerting_signals(monitor, "categorical", {metric: azure_value})
        expected = {f"drift-{level}" for level in ("investigate", "retrain") if statistic > thresholds[level]}
        assert fired == expected, (step, statistic, azure_value)
        seen.add(frozenset(fired))
    # the sweep crossed both levels: nothing, investigate alone, then both
    assert seen == {frozenset(), frozenset({"drift-investigate"}), frozenset({"drift-investigate", "drift-retrain"})}


def test_the_model_catches_a_p_value_threshold_written_as_a_distance() -> None:
    """What mlopsc rendered for `method: ks` before: retrain alerted at p < 0.2, investigate only at p < 0.1."""
    old = {
        "create_monitor": {
            "monitoring_signals": {
                f"drift-{level}": {
                    "type": "data_drift",
                    "metric_thresholds": {"numerical": {"two_sample_kolmogorov_smirnov_test": value}},
                    "properties": {"mlopsc-level": level},
                }
                for level, value in (("investigate", 0.1), ("retrain", 0.2))
            }
        }
    }
    assert alerting_signals(old, "numerical", {"two_sample_kolmogorov_smirnov_test": 0.15}) == {"drift-retrain"}
    (problem,) = level_order_problems(old)
    assert "alerts below" in problem and "retrain (0.2) fires before investigate (0.1)" in problem


@pytest.mark.parametrize("method", ["ks", "chi2"])
def test_p_value_methods_are_refused_with_the_reason(method: str) -> None:
    doc = _spec(method, {"monitor": 0.05, "investigate": 0.1, "retrain": 0.2})
    result = _compile(doc)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert [e.code for e in errors] == ["AML020"]
    (error,) = errors
    assert "p-value" in error.message and "`method: psi`" in error.hint and "`method: jensen-shannon`" in error.hint
    source = yaml.safe_dump(doc, sort_keys=False).splitlines()
    assert source[error.line - 1].strip() == f"method: {method}"


def test_jensen_shannon_above_one_bit_is_refused() -> None:
    result = _compile(_spec("jensen-shannon", {"monitor": 0.5, "investigate": 0.9, "retrain": 1.5}))
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert [e.code for e in errors] == ["AML020"]
    assert "could never fire" in errors[0].message


@pytest.mark.parametrize(("method", "value"), [("psi", 0.2), ("jensen-shannon", 0.447214)])
def test_translated_thresholds_load_in_a_monitor_schedule(method: str, value: float) -> None:
    translation = drift.translate(method, 0.2)
    for side in ("numerical", "categorical"):
        assert list(translation.thresholds[side].values()) == [value]
        (metric,) = translation.thresholds[side]
        assert drift.ALERTS_WHEN[metric] == drift.ABOVE
    doc = copy.deepcopy(_monitor(_spec("psi", {"monitor": 0.1, "investigate": 0.2, "retrain": 0.25})))
    doc["create_monitor"]["monitoring_signals"]["drift-retrain"]["metric_thresholds"] = translation.thresholds
    load_azureml("monitorSchedule", yaml.safe_dump(doc, sort_keys=False))


def test_translate_rejects_unknown_methods() -> None:
    with pytest.raises(CatalogError, match="unknown drift method 'wasserstein'"):
        drift.translate("wasserstein", 0.1)


def test_directions_follow_the_evaluate_component() -> None:
    """drift.ALERTS_WHEN (the target's table) agrees with the model of evaluate_metrics_threshold.py."""
    from tests.validators.azureml_monitor import breached

    for metric, direction in drift.ALERTS_WHEN.items():
        assert breached(metric, 0.5, 0.4) is (direction == drift.ABOVE)
        assert breached(metric, 0.3, 0.4) is (direction == drift.BELOW)
