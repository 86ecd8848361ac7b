"""POSIX cron (5 fields) -> the 6-field `cron(...)` of EventBridge Scheduler and EventBridge rules.

AWS cron is `cron(minutes hours day-of-month month day-of-week year)`: day-of-week counts 1-7 from
Sunday (or SUN-SAT), and exactly one of day-of-month / day-of-week must be `?`. POSIX counts Sunday
as 0 or 7 and ORs the two day fields when both are restricted; AWS cannot express that OR, so such
an expression is refused (ValueError) rather than silently changed.
"""

from __future__ import annotations

DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def _day_of_week(field: str) -> str:
    """Translate numbers (0/7 = Sunday) to AWS's names; names and `*` pass through upper-cased."""
    out = []
    for item in field.split(","):
        base, slash, _step = item.partition("/")
        if slash:  # AWS day-of-week accepts , - * ? L # but no step
            raise ValueError(f"day-of-week step `{item}` has no AWS equivalent: list the days instead")
        if base == "*":
            out.append(item)
            continue
        ends = base.split("-")
        names = [DAY_NAMES[int(e) % 7] if e.isdigit() else e.upper() for e in ends]
        if len(names) == 2 and DAY_NAMES.index(names[0]) > DAY_NAMES.index(names[1]):
            raise ValueError(f"day-of-week range `{item}` wraps past Saturday: split it into two ranges")
        out.append("-".join(names))
    return ",".join(out)


def aws_cron(expr: str) -> str:
    """``0 2 * * 0`` -> ``cron(0 2 ? * SUN *)``; ``0 2 * * *`` -> ``cron(0 2 * * ? *)``.

    The spec's validator has already checked the five fields; this only translates them.
    """
    minute, hour, dom, month, dow = expr.split()
    if dom != "*" and dow != "*":
        raise ValueError(
            f"`{expr}` restricts both day-of-month and day-of-week (POSIX runs on either); "
            "AWS cron needs one of them to be `?`"
        )
    if dow == "*":
        return f"cron({minute} {hour} {dom} {month.upper()} ? *)"
    return f"cron({minute} {hour} ? {month.upper()} {_day_of_week(dow)} *)"
