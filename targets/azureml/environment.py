"""environment/Dockerfile: the curated environment plus exactly what the rendered scoring code imports.

The curated inference environments (sklearn-1.5, lightgbm-3.3) carry the framework, pandas and the
inference server, but not the data collector (``azureml-ai-monitoring``) or the Key Vault client
(``azure-identity``, ``azure-keyvault-secrets``) that score.py needs when data is collected or
secrets are read (their conda_dependencies.yaml in Azure/azureml-assets). Azure ML builds an
environment from a Docker build context (``environment.build.path``, reference-yaml-environment.md);
the rendered one starts ``FROM`` the curated image of the same asset version (MCR tags the image
with the asset version) and pip-installs the missing packages at fixed versions. The curated
Dockerfile puts its conda environment first on ``PATH`` (``ENV PATH=$CONDA_PREFIX/bin:$PATH``), so
``pip`` installs into the environment the inference server runs in. (An ``image`` plus
``conda_file`` environment would not do: Azure creates a *new* conda environment from the file, one
without the curated framework.)
"""

from __future__ import annotations

from collections.abc import Sequence

from mlopsc.targets.azureml.catalog import CURATED_SCORING_PACKAGES, SCORING_PACKAGE_PINS, CuratedEnvironment

BUILD_DIR = "environment"


def missing_packages(curated: CuratedEnvironment, needed: Sequence[str]) -> tuple[str, ...]:
    """``needed`` less what the curated environment already carries (all of it when unknown)."""
    present = CURATED_SCORING_PACKAGES.get(curated.name, frozenset())
    return tuple(name for name in needed if name not in present)


def dockerfile(curated: CuratedEnvironment, packages: Sequence[str]) -> str:
    """The build context's Dockerfile: the pinned curated image plus ``packages`` at their pinned versions."""
    pins = " ".join(f"{name}=={SCORING_PACKAGE_PINS[name]}" for name in packages)
    return (
        f"# The curated environment {curated.name} (version {curated.registry_version or 'latest'}) plus what\n"
        "# score.py imports beyond it; pip is the curated conda environment's (first on PATH).\n"
        f"FROM {curated.pinned_image}\n"
        f"RUN pip install --no-cache-dir {pins}\n"
    )
