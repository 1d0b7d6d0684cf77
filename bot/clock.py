"""The one place that says what day (and, for the store, what time) it is.

`BOT_TODAY=YYYY-MM-DD` pins "today" for the whole stack (bot, actions, tests); without it the
system date is used.
"""

from __future__ import annotations

import datetime as dt
import os

ENV_VAR = "BOT_TODAY"


class ClockError(ValueError):
    """BOT_TODAY holds something that is not a date."""


def today() -> dt.date:
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ClockError(f"{ENV_VAR}={raw!r} 不是 YYYY-MM-DD 格式的日期") from exc


def utcnow() -> dt.datetime:
    """Now in UTC without a time zone: how the store keeps every time (shown +8 h, Beijing)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
