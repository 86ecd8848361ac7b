"""Development scaffold, replaced by the real Vertex target: refuses every spec with a clear error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from mlopsc.compiler.ir import Document, Finding, Options, Plan, Stack
from mlopsc.targets.base import Emission, FieldMapping, Resolution, refuse


class Vertex:
    name: ClassVar[str] = "vertex"
    title: ClassVar[str] = "Vertex (not available in this build)"
    code_prefix: ClassVar[str] = "X"
    mapping: ClassVar[tuple[FieldMapping, ...]] = ()

    def resolve(self, plan: Plan) -> Resolution:
        return Resolution(None, (refuse("E116", "this mlopsc cannot render vertex yet", ("platforms", "vertex")),))

    def emit(self, plan: Plan, stack: Stack) -> Emission:
        raise AssertionError("unreachable: resolve never returns a stack")

    def check(self, documents: Sequence[Document], options: Options) -> tuple[Finding, ...]:
        return ()
