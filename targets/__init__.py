"""The one registry of targets: `--target` choices are its keys (plus entry points of the
`mlopsc.targets` group, for third-party platforms)."""

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


def all_targets() -> dict[str, Target]:
    """Built-in targets plus third-party ones registered under the `mlopsc.targets` entry-point group."""
    from importlib.metadata import entry_points  # only when a name is not built in

    found = dict(TARGETS)
    for ep in entry_points(group="mlopsc.targets"):
        if ep.name not in found:
            found[ep.name] = ep.load()()
    return found
