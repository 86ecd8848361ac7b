"""A strict check of five-field cron expressions (minute hour day-of-month month day-of-week)."""

from __future__ import annotations

_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))
        },
    ),
    ("day of week", 0, 7, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}),
)


_CRON_CHARACTERS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ*/,- ")


def cron_problem(expr: str) -> str | None:
    """None when ``expr`` is a valid five-field cron expression, else what is wrong with it.

    One line of ASCII digits, names, ``* / , -`` and spaces only: a schedule is written into comments
    and crontab lines of the rendered scripts, where a line break or a tab would start a new line of code.
    """
    odd = next((c for c in expr if c not in _CRON_CHARACTERS), None)
    if odd is not None:
        return (
            f"{odd!a} is not allowed: a schedule is one line of digits, month/day names, `*`, `/`, `,`, `-` and spaces"
        )
    parts = expr.split(" ")
    parts = [p for p in parts if p]
    if len(parts) != 5:
        return f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has {len(parts)}"
    for text, (name, low, high, names) in zip(parts, _FIELDS, strict=True):
        for item in text.split(","):
            problem = _item_problem(item.lower(), low, high, names)
            if problem:
                return f"{name} field `{_shown(text)}`: {problem}"
    return None


def _number(text: str) -> int | None:
    """An ASCII decimal of at most 4 digits (`²`, `٣` and a 5,000-digit run are not numbers a cron
    daemon reads, and `int()` of the last raises past Python's 4,300-digit limit)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


def _shown(text: str) -> str:
    return text if len(text) <= 20 else text[:17] + "..."


def _item_problem(item: str, low: int, high: int, names: dict[str, int]) -> str | None:
    base, _, step = item.partition("/")
    if step and not _number(step):
        return f"step `{_shown(step)}` must be a positive number of at most 4 digits"
    if base == "*":
        return None
    start, _, end = base.partition("-")
    for bound in (start, end) if end else (start,):
        value = names.get(bound, _number(bound))
        if value is None:
            return f"`{_shown(bound)}` is not a number" + (f" or a name ({', '.join(names)})" if names else "")
        if not low <= value <= high:
            return f"{value} is outside {low}-{high}"
    if end:
        a = names.get(start, _number(start) or low)
        b = names.get(end, _number(end) or high)
        if a > b:
            return f"range {start}-{end} runs backwards"
    return None
