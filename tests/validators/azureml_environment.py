"""What a rendered Azure ML scoring environment contains, and whether score.py can import what it imports.

The curated environments' pip packages, from Azure/azureml-assets (commit
4b41f8ccbc01cf492767adc586ce1661c54c340a) assets/training/general/environments/<name>/context/
conda_dependencies.yaml (the distributions the rendered scripts may import beyond pandas; the
curated lists carry neither the data collector nor the Key Vault client).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Final

import yaml

# fmt: off
CURATED_PIP: Final[Mapping[str, frozenset[str]]] = {
    "sklearn-1.5": frozenset(
        {
            "scikit-learn-intelex", "azureml-core", "azureml-defaults", "azureml-inference-server-http",
            "azureml-mlflow", "azureml-telemetry", "scikit-learn", "joblib", "py-spy", "debugpy", "ipykernel",
            "tensorboard", "psutil", "matplotlib", "tqdm", "py-cpuinfo", "torch-tb-profiler", "starlette",
            "cryptography", "pyarrow",
        }
    ),
    "lightgbm-3.3": frozenset(
        {
            "azureml-core", "azureml-defaults", "azureml-mlflow", "azureml-telemetry", "scikit-learn", "xgboost",
            "lightgbm", "distributed", "adlfs", "py-spy", "debugpy", "ipykernel", "tensorboard", "psutil",
            "matplotlib", "tqdm", "py-cpuinfo", "torch-tb-profiler", "starlette", "pyarrow", "cryptography",
        }
    ),
}
# fmt: on

# import name -> the PyPI distribution that provides it (the ones the rendered scripts use that a
# curated environment may lack)
DISTRIBUTION: Final[Mapping[str, str]] = {
    "azureml.ai.monitoring": "azureml-ai-monitoring",
    "azure.identity": "azure-identity",
    "azure.keyvault.secrets": "azure-keyvault-secrets",
}

_CURATED_REF = re.compile(r"^azureml://registries/azureml/environments/(?P<name>[^/]+)/versions/(?P<version>\d+)$")
_FROM = re.compile(r"^FROM mcr\.microsoft\.com/azureml/curated/(?P<name>[a-z0-9.-]+):(?P<tag>\d+)$", re.M)
_PIP = re.compile(r"^RUN pip install --no-cache-dir (?P<args>.+)$", re.M)


def imported_distributions(script: str) -> set[str]:
    """The distributions of DISTRIBUTION that ``script`` imports anywhere (top level or inside functions)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(script)):
        if isinstance(node, ast.ImportFrom) and node.module in DISTRIBUTION:
            out.add(DISTRIBUTION[node.module])
        elif isinstance(node, ast.Import):
            out |= {DISTRIBUTION[a.name] for a in node.names if a.name in DISTRIBUTION}
    return out


def _uses(script: str, name: str) -> bool:
    """True when the script's module-level ``name`` is truthy (CAPTURE = True, SECRETS = [...])."""
    for node in ast.parse(script).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return bool(ast.literal_eval(node.value))
    return False


def needed(script: str) -> set[str]:
    """What the script needs at init: the collector when CAPTURE, the Key Vault client when SECRETS."""
    wanted = set()
    if _uses(script, "CAPTURE"):
        wanted.add("azureml-ai-monitoring")
    if _uses(script, "SECRETS"):
        wanted |= {"azure-identity", "azure-keyvault-secrets"}
    return wanted & imported_distributions(script)


def environment_packages(environment: object, files: Mapping[str, str]) -> tuple[set[str], list[str]]:
    """The pip distributions of a deployment's ``environment`` (a curated reference or a build context)."""
    if isinstance(environment, str):
        match = _CURATED_REF.match(environment)
        if match is None or match["name"] not in CURATED_PIP:
            return set(), [f"environment {environment!r} is not a curated environment this model knows"]
        return set(CURATED_PIP[match["name"]]), []
    if isinstance(environment, Mapping) and isinstance(environment.get("conda_file"), str):
        # image + conda file: Azure ML creates a new conda environment from the file, so what the script
        # imports must be in the file's pip list (the image's own Python packages are not in that env).
        path = environment["conda_file"].removeprefix("./")
        text = files.get(path)
        if text is None:
            return set(), [f"environment conda file {path} is not rendered"]
        conda = yaml.safe_load(text) or {}
        pips = [d["pip"] for d in conda.get("dependencies", []) if isinstance(d, Mapping) and "pip" in d]
        return {re.split(r"[=<>~!\[ ]", str(p), maxsplit=1)[0] for group in pips for p in group}, []
    if isinstance(environment, Mapping) and isinstance(environment.get("build"), Mapping):
        path = str(environment["build"].get("path", "")).removeprefix("./")
        text = files.get(f"{path}/Dockerfile")
        if text is None:
            return set(), [f"environment build context {path}/Dockerfile is not rendered"]
        base = _FROM.search(text)
        if base is None or base["name"] not in CURATED_PIP:
            return set(), [f"{path}/Dockerfile: FROM is not a pinned curated image"]
        packages = set(CURATED_PIP[base["name"]])
        problems: list[str] = []
        for run in _PIP.finditer(text):
            for arg in run["args"].split():
                name, sep, version = arg.partition("==")
                if not sep or not re.fullmatch(r"[0-9][0-9a-z.]*", version):
                    problems.append(f"{path}/Dockerfile: {arg!r} is not pinned as name==version")
                packages.add(name)
        return packages, problems
    return set(), []


def scoring_environment_problems(
    files: Mapping[str, str], deployments: Mapping[str, Mapping[str, object]]
) -> list[str]:
    """Each deployment with code_configuration runs on an environment that has what its script imports at init."""
    problems: list[str] = []
    for name, doc in deployments.items():
        code = doc.get("code_configuration")
        if not isinstance(code, Mapping):
            continue
        script = files.get(f"{str(code.get('code', '')).removeprefix('./')}/{code.get('scoring_script')}")
        if script is None:
            continue
        packages, found = environment_packages(doc.get("environment"), files)
        problems += [f"{name}: {p}" for p in found]
        lacking = sorted(needed(script) - packages)
        if lacking and not found:
            problems.append(f"{name}: the environment lacks {', '.join(lacking)}, which the scoring script needs")
    return problems
