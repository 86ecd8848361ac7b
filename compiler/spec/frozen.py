"""The base of the generated spec classes (`typed.py`): immutable values compared and shown by field.

What `@dataclass(frozen=True)` would give, written once: the decorator generates and compiles five
methods per class at every import (~1.5 ms a class, ~60 ms for the spec's 43 classes, on every
pre-commit run), while these are compiled once into bytecode.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, ClassVar


class Frozen:
    __slots__ = ()
    field_names: ClassVar[tuple[str, ...]] = ()
    """The spec fields, in the model's order (`written` is not one)."""

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.field_names)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.field_names)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        fields = {name: getattr(self, name) for name in self.field_names}
        return (_rebuild, (type(self), fields, getattr(self, "written", frozenset())))


def _rebuild(cls: type[Frozen], fields: dict[str, object], written: frozenset[str]) -> Frozen:
    return cls(**fields, written=written)  # type: ignore[call-arg]
