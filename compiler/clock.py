"""The run's clock: one UTC instant, read once per run, that every date comparison and stamp uses.

`MLOPSC_NOW` (RFC 3339 with an offset, e.g. `2027-02-21T09:00:00Z`) replaces the system clock: replays of a CI
run, tests, and `faketime` all reach the same function. Nothing else in mlopsc reads the time.
"""

from __future__ import annotations

import datetime as dt
import os

ENV = "MLOPSC_NOW"
_pinned: list[dt.datetime] = []  # the run's instant while a run is under way


class ClockError(ValueError):
    """`MLOPSC_NOW` is set but is not an RFC 3339 instant with an offset."""


def pin() -> dt.datetime:
    """Read the clock once for this run (the CLI does, at start); later `now()` calls return the same instant."""
    _pinned.clear()
    _pinned.append(now())
    return _pinned[0]


def unpin() -> None:
    """End the run: the next `now()` reads the clock again."""
    _pinned.clear()


def now() -> dt.datetime:
    """The current instant in UTC, to the second (from `MLOPSC_NOW` when set; the pinned one during a run)."""
    if _pinned:
        return _pinned[0]
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ClockError(f"{ENV}={raw!r} is not an RFC 3339 instant such as 2027-02-21T09:00:00Z") from None
    if parsed.tzinfo is None:
        raise ClockError(f"{ENV}={raw!r} has no offset: write it in UTC, e.g. 2027-02-21T09:00:00Z")
    return parsed.astimezone(dt.UTC).replace(microsecond=0)


def today() -> dt.date:
    """The current day in UTC (never the machine's time zone)."""
    return now().date()
