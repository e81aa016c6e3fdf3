"""The three-month window of transaction queries and refund requests (seed 5.1.1, 5.2).

"Three months" is calendar months on the China wall clock: 2026-05-31 10:00 reaches
back to 2026-02-28 10:00 (the day is clamped to the shorter month).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from ..business_days import CHINA

WINDOW_MONTHS = 3


def months_before(instant: datetime, months: int) -> datetime:
    local = instant.astimezone(CHINA)
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def window_start(now: datetime) -> datetime:
    """The earliest instant a statement shows or a refund may still be asked for."""
    return months_before(now, WINDOW_MONTHS)
