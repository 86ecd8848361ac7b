"""The spec's drift thresholds, carried over to the distances Vertex AI model monitoring computes.

Vertex AI (v1 ``ModelDeploymentMonitoringJob``) measures a numerical feature's drift with the
Jensen-Shannon divergence and a categorical feature's with the L-infinity distance between the two
distributions' histograms; both lie in [0, 1] (the JS divergence in bits). The spec's thresholds are
PSI (or JS) values, so each is converted, feature by feature, with the second-order expansion that
all these measures share for a small shift ``d_i = p_i - q_i`` of a distribution ``q``:

    PSI = sum (p_i - q_i) ln(p_i / q_i)            ~= S,         S = sum d_i^2 / q_i
    JS  = (KL(p || m) + KL(q || m)) / 2, m=(p+q)/2 ~= S / 8     (nats)  = S / (8 ln 2) in bits
    L-inf = max |d_i|                               <= sqrt(S) / 2 (largest when two categories of
                                                                    share 1/2 trade mass d)

So, for a spec threshold ``t``:

- method ``psi``, numerical feature:    ``JS = t / (8 ln 2)``  (about ``0.18 t``): equal to first order,
  for every distribution;
- method ``psi``, categorical feature:  ``L-inf = sqrt(t) / 2``: the largest L-infinity distance a shift
  with PSI ``t`` can have, so a Vertex alert always means the PSI crossed ``t`` (to second order),
  and the conversion is exact for a two-category feature split evenly;
- method ``jensen-shannon``: numerical features keep ``t``; categorical features get
  ``sqrt(8 ln 2 t) / 2`` (through ``S = 8 ln 2 t``).

``ks`` and ``chi2`` thresholds depend on sample sizes and on the whole distribution: they have no such
conversion, and the target refuses them. Results are rounded to 4 significant digits and clamped to
(0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LN2 = math.log(2)
CONVERTIBLE = ("psi", "jensen-shannon")


@dataclass(frozen=True)
class Conversion:
    value: float
    formula: str


def convert(method: str, threshold: float, feature_kind: str) -> Conversion:
    """The Vertex threshold for a spec ``threshold`` of ``method`` on a ``numerical``/``categorical`` feature."""
    if method not in CONVERTIBLE:
        raise ValueError(f"no conversion from {method}")
    if feature_kind == "numerical":
        if method == "psi":
            value, formula = threshold / (8 * LN2), f"JS = PSI / (8 ln 2) = {threshold:g} / 5.545"
        else:
            value, formula = threshold, "JS threshold kept as given"
    else:
        s = threshold if method == "psi" else 8 * LN2 * threshold
        value = math.sqrt(s) / 2
        formula = (
            f"L-inf = sqrt(PSI) / 2 = sqrt({threshold:g}) / 2"
            if method == "psi"
            else f"L-inf = sqrt(8 ln 2 JS) / 2 = sqrt(5.545 x {threshold:g}) / 2"
        )
    rounded = float(f"{min(1.0, value):.4g}")
    return Conversion(max(rounded, 1e-4), formula)
