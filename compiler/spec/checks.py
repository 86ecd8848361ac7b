"""The value checks the generated fast checker (`fast.py`) is made of.

Each check accepts a value exactly when pydantic's strict model (`model.py`) would, or raises
`Reject`. Where matching pydantic exactly would take more code than it is worth (non-ASCII text
against a pattern, lax date parsing, huge or non-finite numbers), the check rejects: the validate
pass then asks pydantic, which decides and words the error. A check may be stricter than pydantic,
never looser; tests/test_fast_check.py holds the two to that on every spec the tests know.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import TypeVar

from mlopsc.compiler.spec.cron import cron_problem

_E = TypeVar("_E", bound=Enum)
_SAFE_INT = 2**53  # pydantic takes bigger ints too; here they go to pydantic
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)


class Reject(Exception):
    """The fast checker does not accept the value: pydantic decides."""


def pattern(regex: str) -> re.Pattern[str]:
    """A JSON Schema pattern (Rust regex: `$` ends the text) as a Python regex with the same meaning."""
    return re.compile(regex.removesuffix("$") + r"\Z" if regex.endswith("$") else regex)


def mapping(value: object, allowed: frozenset[str], required: frozenset[str]) -> dict[str, object]:
    """A model's input: a dict with only known keys and every required one."""
    if type(value) is not dict or not value.keys() <= allowed or not required <= value.keys():
        raise Reject
    return value


def items(value: object, min_length: int = 0) -> list[object]:
    if type(value) is not list or len(value) < min_length:
        raise Reject
    return value


def entries(value: object) -> dict[object, object]:
    if type(value) is not dict:
        raise Reject
    return value


def text(
    value: object, regex: re.Pattern[str] | None = None, min_length: int | None = None, max_length: int | None = None
) -> str:
    if type(value) is not str:
        raise Reject
    if regex is not None and (not value.isascii() or regex.search(value) is None):
        raise Reject
    if (min_length is not None and len(value) < min_length) or (max_length is not None and len(value) > max_length):
        raise Reject
    return value


def raw_number(value: object) -> object:
    """`1.7` written unquoted is the text "1.7" (YamlFloat keeps the written text); the pydantic model's
    validator for versions too."""
    raw = getattr(value, "raw", None)
    if isinstance(raw, str):
        return raw
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def cron(value: object) -> str:
    if type(value) is not str or cron_problem(value):
        raise Reject
    return value


def integer(value: object, ge: float | None = None, le: float | None = None, gt: float | None = None) -> int:
    if type(value) is not int or not -_SAFE_INT < value < _SAFE_INT:
        raise Reject
    _bounds(value, ge, le, gt)
    return value


def number(value: object, ge: float | None = None, le: float | None = None, gt: float | None = None) -> float:
    if type(value) is int:
        if not -_SAFE_INT < value < _SAFE_INT:
            raise Reject
        result = float(value)
    elif isinstance(value, float) and value - value == 0:  # finite (a float subclass keeps the written text)
        result = float(value)
    else:
        raise Reject
    _bounds(result, ge, le, gt)
    return result


def _bounds(value: float, ge: float | None, le: float | None, gt: float | None) -> None:
    if (ge is not None and value < ge) or (le is not None and value > le) or (gt is not None and value <= gt):
        raise Reject


def boolean(value: object) -> bool:
    if type(value) is not bool:
        raise Reject
    return value


def choice(value: object, enum: type[_E]) -> _E:
    """model._to_enum then strict enum validation: the YAML spelling of a member."""
    if type(value) is not str:
        raise Reject
    try:
        return enum(value)
    except ValueError:
        raise Reject from None


def day(value: object) -> date:
    if type(value) is not str or _DATE.match(value) is None:
        raise Reject
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Reject from None


def moment(value: object) -> datetime:
    """An aware date and time in the ISO 8601 forms YAML specs use, `T` or space between date and time
    (`yaml.safe_dump` writes the space); pydantic takes more forms."""
    if type(value) is not str or _DATETIME.match(value) is None:
        raise Reject
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Reject from None
