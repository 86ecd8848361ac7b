"""One entry point that checks any rendered file with its vendor's own validator.

Each platform registers a checker for its files here; the golden suite and the fuzz tests call
`problems(file)` on every file they render. A checker returns a list of problems ([] = valid).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlopsc.compiler.ir import RenderedFile

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
KSERVE_CRDS = SHARED / "schemas" / "kserve-v0.20.0"
PROMETHEUS_CRDS = SHARED / "schemas" / "prometheus-operator-v0.82.2"


@functools.cache
def _crd_validator() -> Any:
    from mlopsc.targets.kserve.crd import CrdValidator

    if not KSERVE_CRDS.exists():
        pytest.skip(f"{KSERVE_CRDS} is absent (../shared is provided beside the repository in CI)")
    return CrdValidator.from_locations([KSERVE_CRDS, PROMETHEUS_CRDS])


def check_kserve(file: RenderedFile) -> list[str]:
    body = file.body
    assert isinstance(body, dict), file.path
    api = str(body.get("apiVersion", ""))
    if api.startswith(("serving.kserve.io/", "monitoring.coreos.com/")):
        return [f"{i.path}: {i.message}" for i in _crd_validator().validate(body)]
    if body.get("kind") == "Kustomization":
        allowed = {"apiVersion", "kind", "resources"}
        extra = set(body) - allowed
        return [f"unexpected Kustomization fields {sorted(extra)}"] if extra else []
    from tests.validators.k8s import validate_core

    return validate_core(body)


def _lazy(module: str) -> Callable[[RenderedFile], list[str]]:
    """Each platform's `check_rendered(file) -> list[str]`, imported on first use (vendor libraries
    such as cfn-lint, azure-ai-ml and google-cloud-aiplatform take seconds to import)."""

    def check(file: RenderedFile) -> list[str]:
        import importlib

        checker: Callable[[RenderedFile], list[str]] = importlib.import_module(module).check_rendered
        return checker(file)

    return check


CHECKERS: dict[str, Callable[[RenderedFile], list[str]]] = {
    "kserve": check_kserve,
    "sagemaker": _lazy("tests.validators.cfn"),
    "vertex": _lazy("tests.validators.vertex"),
    "azureml": _lazy("tests.validators.azureml"),
    "registry": _lazy("tests.validators.registry"),
}


def problems(file: RenderedFile) -> list[str]:
    if file.kind in ("Sidecar",) or file.body is None:
        return []  # text files (README, apply scripts, sidecars) have no vendor schema
    checker = CHECKERS.get(file.platform)
    assert checker is not None, f"no validator registered for platform {file.platform}"
    return checker(file)
