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


class SharedAbsent(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """A file needs ../shared (the KServe and Prometheus CRDs) and it is absent: the test skips, unless it
    uses `check_all`, which checks every other file first."""


@functools.cache
def _crd_validator() -> Any:
    from mlopsc.targets.kserve.crd import CrdValidator

    if not KSERVE_CRDS.exists():
        raise SharedAbsent(f"{KSERVE_CRDS} is absent (../shared is provided beside the repository in CI)")
    return CrdValidator.from_locations([KSERVE_CRDS, PROMETHEUS_CRDS])


def check_kserve(file: RenderedFile) -> list[str]:
    body = file.body
    assert isinstance(body, dict), file.path
    api = str(body.get("apiVersion", ""))
    if api.startswith(("serving.kserve.io/", "monitoring.coreos.com/")):
        found = [f"{i.path}: {i.message}" for i in _crd_validator().validate(body)]
        if body.get("kind") == "InferenceService":
            found += runtime_problems(body)
        return found
    if body.get("kind") == "Kustomization":
        allowed = {"apiVersion", "kind", "resources"}
        extra = set(body) - allowed
        return [f"unexpected Kustomization fields {sorted(extra)}"] if extra else []
    from tests.validators.k8s import validate_core

    return validate_core(body)


KSERVE_RUNTIMES = SHARED / "runtimes" / "kserve-v0.20.0"


@functools.cache
def _installed_runtimes() -> list[dict[str, Any]]:
    from tests.behaviour.kserve_runtime import installed_runtimes

    if not KSERVE_RUNTIMES.exists():
        pytest.skip(f"{KSERVE_RUNTIMES} is absent (../shared is provided beside the repository in CI)")
    return installed_runtimes(KSERVE_RUNTIMES)


def runtime_problems(isvc: dict[str, Any]) -> list[str]:
    """An InferenceService whose predictor names a model format must get a runtime from a default
    KServe v0.20.0 install (tests/behaviour/kserve_runtime.py), or KServe reports "No runtime found"."""
    from tests.behaviour.kserve_runtime import predictor_model, selected_runtime

    model = predictor_model(isvc)
    if model is None or selected_runtime(isvc, _installed_runtimes()) is not None:
        return []
    return [
        f"spec.predictor.model: no KServe v0.20.0 runtime serves modelFormat {model.get('modelFormat')}"
        f" over {model.get('protocolVersion') or 'v1'}"
    ]


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


def check_all(files: list[RenderedFile]) -> dict[str, list[str]]:
    """Every file's problems (only files with problems listed). Files that need ../shared when it is absent
    are left for last: every other file (core Kubernetes kinds, kustomizations, the other platforms) is
    still checked, and the test skips after that only when nothing failed."""
    failures: dict[str, list[str]] = {}
    unchecked: list[str] = []
    for f in files:
        try:
            found = problems(f)
        except SharedAbsent:
            unchecked.append(f.path)
            continue
        if found:
            failures[f.path] = found
    if unchecked and not failures:
        pytest.skip(f"{KSERVE_CRDS} is absent: {len(unchecked)} file(s) of CRD kinds unchecked (the rest passed)")
    return failures
