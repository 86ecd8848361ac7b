"""policy: the org's policy rules over the effective specs and every rendered file (see mlopsc.policies).

Imported lazily: the rules, the secret scanner and the org-policy model load only when a spec has
rendered without errors.
"""

from __future__ import annotations

from mlopsc.compiler.ir import Emitted, Options


def policy(emitted: Emitted, options: Options) -> Emitted:
    from mlopsc.policies.engine import policy_pass

    return policy_pass(emitted, options)
