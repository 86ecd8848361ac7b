"""Source files and positions: the one place that turns a path into the spec into line:col."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    col: int  # 1-based
    end_col: int = 0  # 1-based exclusive, on the same line; 0 when unknown


@dataclass(frozen=True)
class SourceFile:
    """A spec file as read: its display path, text and digest (named in every generated header)."""

    path: str
    text: str
    sha256: str
    _lines: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_text(cls, path: str, text: str, raw: bytes | None = None) -> SourceFile:
        digest = hashlib.sha256(raw if raw is not None else text.encode()).hexdigest()
        return cls(path=path, text=text, sha256=digest, _lines=tuple(text.splitlines()))

    def line_text(self, line: int) -> str | None:
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1].replace("\t", " ")
        return None


@dataclass(frozen=True)
class PositionMap:
    """Where each node of the document is: key positions for mapping entries, value positions too.

    ``keys[path]`` is the position of the mapping key that ends ``path``; ``values[path]`` the
    position of the value. A finding about an unknown key points at the key; one about a
    wrong value points at the value.
    """

    keys: Mapping[Path_, Pos]
    values: Mapping[Path_, Pos]

    def value(self, path: Path_) -> Pos | None:
        return self.values.get(path)

    def key(self, path: Path_) -> Pos | None:
        return self.keys.get(path)

    def nearest(self, path: Path_, prefer_key: bool = False) -> Pos:
        """The position of ``path``; when it is not written, the key of its closest written ancestor.

        A missing field is reported at the line that names the section it belongs in
        (``metadata:`` for a missing ``metadata.owner``), not at the section's first child.
        """
        first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
        pos = first.get(path) or second.get(path)
        if pos is not None:
            return pos
        for end in range(len(path) - 1, 0, -1):
            pos = self.keys.get(path[:end]) or self.values.get(path[:end])
            if pos is not None:
                return pos
        return self.values.get((), Pos(1, 1))

    def has(self, path: Path_) -> bool:
        return path in self.values


def environment_path(effective: Path_, environment: str, positions: PositionMap) -> Path_:
    """Map a path of an environment's effective spec back to where its value was written.

    An environment's value comes from ``environments.<env>.<path>`` when the override sets it,
    otherwise from the base document.
    """
    override = ("environments", environment, *effective)
    if positions.has(override):
        return override
    if positions.has(effective):
        return effective
    # Neither sets it (a missing field): keep the full path in whichever of the two has the
    # deeper written ancestor, so `nearest` reports it at that ancestor's key.
    for end in range(len(effective), 0, -1):
        if positions.has(("environments", environment, *effective[:end])):
            return override
        if positions.has(effective[:end]):
            return effective
    return effective


def locate(positions: PositionMap, path: Sequence[str | int], prefer_key: bool = False) -> Pos:
    return positions.nearest(tuple(path), prefer_key=prefer_key)
