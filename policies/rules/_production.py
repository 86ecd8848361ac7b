"""Shared by the production-safety rules: they apply to environments at governance level `production`."""

from __future__ import annotations

from mlopsc.compiler.ir import Plan
from mlopsc.compiler.spec.vocabulary import Level


def is_production(plan: Plan) -> bool:
    return plan.spec.governance.level is Level.PRODUCTION


def serves_online(plan: Plan) -> bool:
    return plan.spec.serving.mode.serves_online
