"""The suite's one fixed instant: every test runs at it (conftest sets MLOPSC_NOW), so no result ages."""

from __future__ import annotations

import datetime as dt

NOW = dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
NOW_TEXT = "2026-11-23T12:00:00Z"
