"""Environment overrides: deep-merge one environment's entry over the base document."""

from __future__ import annotations

from collections.abc import Mapping


def deep_merge(base: Mapping[str, object], override: Mapping[str, object]) -> dict[str, object]:
    """Maps merge key by key; lists and scalars in the override replace the base's value."""
    out: dict[str, object] = dict(base)
    for key, value in override.items():
        current = out.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            out[key] = deep_merge(current, value)
        else:
            out[key] = value
    return out
