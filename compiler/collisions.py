"""E116: two model/environment pairs of one run that would give their cloud resources the same name.

SageMaker, Vertex AI and Azure ML name an environment's resources `<metadata.name>-<environment>[-...]`
(`targets/*/naming.py`), and Azure squashes every run of dashes to one (`azureml/naming.py`, `_squash`).
So `fraud-detection` + environment `prod-eu` and `fraud-detection-prod` + environment `eu` both create
the endpoint `fraud-detection-prod-eu` (the second apply would update the first's endpoint), and on
Azure so do environments `prod-eu` and `prod--eu` of one spec. The folders differ, so E115 does not see
it. KServe names resources `<metadata.name>` inside a namespace, with no environment: not concerned.

The driver calls `claim` for each spec in discovery order: the first pair to render a name owns it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import RenderedFile

CODE = "E116"
NAMED_BY_ENVIRONMENT = frozenset({"sagemaker", "vertex", "azureml"})
_DASHES = re.compile(r"-+")


@dataclass(frozen=True)
class Owner:
    spec: str
    model: str
    environment: str


def stem(platform: str, model: str, environment: str) -> str:
    """The `<model>-<environment>` every environment-scoped cloud resource name of `platform` starts with."""
    joined = f"{model}-{environment}"
    return _DASHES.sub("-", joined) if platform == "azureml" else joined


def claim(
    owners: dict[str, Owner], spec: str, files: Iterable[RenderedFile], position: tuple[int, int]
) -> list[Diagnostic]:
    """Record the names `files` render; an E116 for each one another pair has already claimed."""
    found = sorted({(f.platform, f.model, f.environment) for f in files if f.platform in NAMED_BY_ENVIRONMENT})
    out: list[Diagnostic] = []
    for platform, model, environment in found:
        name = stem(platform, model, environment)
        owner = owners.setdefault(f"{platform}/{name}", Owner(spec, model, environment))
        if (owner.model, owner.environment) == (model, environment):
            continue
        where = "this spec" if owner.spec == spec else owner.spec
        out.append(
            Diagnostic(
                spec,
                *position,
                CODE,
                Severity.ERROR,
                f"model `{model}` in environment `{environment}` names its {platform} resources `{name}`, like model "
                f"`{owner.model}` in environment `{owner.environment}` of {where}: one would overwrite the other",
                "rename the model or the environment so that `<metadata.name>-<environment>` differs",
            )
        )
    return out
