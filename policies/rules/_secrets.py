"""Shared wording of the secret rules: what was found (never the value), and what to do about it."""

from __future__ import annotations

from mlopsc.policies.secret_scan import DETECTORS, SecretHit

HINT = (
    "replace it with a reference (`{secret: <name>}` and a `secrets:` entry naming the platform's secret store); "
    "treat the value as leaked and rotate it"
)


def what(hit: SecretHit) -> str:
    return DETECTORS.get(hit.detector, hit.detector)
