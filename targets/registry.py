"""The one registry of targets: `--target` choices are its keys, and each key equals its target's
`name` (a test checks). Spec v1 fixes the four platforms (`platforms` rejects unknown keys), so there is
no plug-in group yet: a fifth platform needs a spec change and an entry here."""

from __future__ import annotations

from mlopsc.targets.azureml.target import AzureML
from mlopsc.targets.base import Target
from mlopsc.targets.kserve.target import KServe
from mlopsc.targets.sagemaker.target import SageMaker
from mlopsc.targets.vertex.target import Vertex

TARGETS: dict[str, Target] = {
    "kserve": KServe(),
    "sagemaker": SageMaker(),
    "vertex": Vertex(),
    "azureml": AzureML(),
}

