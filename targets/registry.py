"""The one registry of targets: `--target` choices are its keys, and each key equals its target's
`name` (a test checks). Spec v1 fixes the four platforms (`platforms` rejects unknown keys), so there is
no plug-in group yet: a fifth platform needs a spec change and an entry here.

The keys are a literal dict of module and class names; a target's module is imported the first time its
entry is read (`TARGETS[name]`, `.get`, `.items()`...), not when the registry is. `mlopsc validate` of a
spec that configures one platform then never imports the other three (each costs 20-30 ms to import).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from mlopsc.targets.base import Target

_WHERE: dict[str, tuple[str, str]] = {
    "kserve": ("mlopsc.targets.kserve.target", "KServe"),
    "sagemaker": ("mlopsc.targets.sagemaker.target", "SageMaker"),
    "vertex": ("mlopsc.targets.vertex.target", "Vertex"),
    "azureml": ("mlopsc.targets.azureml.target", "AzureML"),
}


class _Registry(Mapping[str, Target]):
    """A read-only mapping name -> target instance, in `_WHERE`'s order; each built once, on first read."""

    def __init__(self, where: Mapping[str, tuple[str, str]]) -> None:
        self._where = dict(where)
        self._built: dict[str, Target] = {}

    def __getitem__(self, name: str) -> Target:
        target = self._built.get(name)
        if target is None:
            module, cls = self._where[name]  # KeyError for an unknown name, as a dict
            built: Target = getattr(import_module(module), cls)()
            self._built[name] = target = built
        return target

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __repr__(self) -> str:
        return f"TARGETS({', '.join(self._where)})"


TARGETS: Mapping[str, Target] = _Registry(_WHERE)
