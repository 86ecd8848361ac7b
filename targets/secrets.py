"""Secret references per platform: the one reading of `serving.env` `{secret: name}` values and the
`secrets.<name>.<platform>` entries they point to. A secret without this platform's reference is refused
once, by the capability check (`Capabilities.secrets.missing`, compiler/passes/capabilities.py); targets
translate the references this module returns."""

from __future__ import annotations

from mlopsc.compiler.ir import Plan
from mlopsc.compiler.spec.typed import SecretRef, Spec


def secret_vars(spec: Spec) -> list[tuple[str, str]]:
    """(env var, secret name) for every `{secret: ...}` value of serving.env, by var."""
    return [(var, value.secret) for var, value in sorted(spec.serving.env.items()) if isinstance(value, SecretRef)]


def reference(spec: Spec, secret: str, platform: str) -> object | None:
    """The secret's entry for `platform` (`secrets.<secret>.<platform>`), None when it has none."""
    entry = spec.secrets.get(secret)
    return None if entry is None else getattr(entry, platform)


def string_references(plan: Plan, platform: str) -> dict[str, str]:
    """Env var -> this platform's reference (an ARN, a Secret Manager name, a Key Vault URL), for every
    secret of serving.env that has one, by var."""
    out: dict[str, str] = {}
    for var, secret in secret_vars(plan.spec):
        ref = reference(plan.spec, secret, platform)
        if isinstance(ref, str):
            out[var] = ref
    return out
