"""Offline checks of core Kubernetes manifests, for tests only.

``validate_core`` checks built-in kinds (ConfigMap, batch/v1 CronJob, Deployment, Service...)
with the ``kubernetes-validate`` package in strict mode: its bundled JSON schemas with
``additionalProperties: false``, so an unknown field fails as it does with
``kubectl apply --validate=strict``. The schemas ship inside the package: no network.
Custom resources (KServe, Prometheus operator) are not core kinds: use
:class:`mlopsc.targets.kserve.crd.CrdValidator` for them.

``kustomize_build`` renders a kustomization with ``kubectl kustomize``; callers skip when
:func:`kubectl` finds no kubectl on PATH.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]

# The Kubernetes release whose API the core manifests are checked against. KServe 0.16+
# needs Kubernetes 1.32 or later; kubernetes-validate 1.37 bundles schemas for 1.25 to 1.37.
K8S_VERSION = "1.33.0"


def validate_core(doc: Mapping[str, Any]) -> list[str]:
    """``[]`` when ``doc`` is valid, else one ``"dotted.path: message"`` line.

    kubernetes-validate reports the most relevant error only (jsonschema's best match), so
    the list holds at most one entry. A kind it has no schema for raises ``ValueError``
    rather than passing unchecked.
    """
    try:
        kubernetes_validate.validate(dict(doc), K8S_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError as exc:
        raise ValueError(exc.message) from exc
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(part) for part in exc.path)
        return [f"{path or '<root>'}: {exc.message}"]
    return []


def kubectl() -> str | None:
    """The kubectl executable on PATH, or ``None``: a test skips then."""
    return shutil.which("kubectl")


def kustomize_build(folder: Path) -> str:
    """The YAML stream ``kubectl kustomize FOLDER`` renders; an error carries kubectl's stderr."""
    executable = kubectl()
    if executable is None:
        raise RuntimeError("kubectl is not on PATH; skip the test that needs kustomize")
    result = subprocess.run(
        [executable, "kustomize", str(folder)], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {folder} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout
