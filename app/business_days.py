"""Chinese working days (statutory holidays and make-up working days) from `chinese_calendar`.

For years the library does not know yet, Monday-Friday is assumed (and logged once).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)
CHINA = timezone(timedelta(hours=8))


@lru_cache(maxsize=None)
def _warn_unknown_year(year: int) -> None:
    log.warning("holiday calendar has no data for %s; assuming Monday-Friday working days", year)


def is_business_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def add_business_days(day: date, count: int) -> date:
    current = day
    added = 0
    while added < count:
        current += timedelta(days=1)
        if is_business_day(current):
            added += 1
    return current


def china_date(instant: datetime) -> date:
    return instant.astimezone(CHINA).date()


def next_business_day_start(instant: datetime, count: int = 1) -> datetime:
    """09:00 China time on the ``count``-th business day after ``instant``'s China date."""
    day = add_business_days(china_date(instant), count)
    return datetime.combine(day, time(9, 0), tzinfo=CHINA).astimezone(timezone.utc)


def business_days_later(instant: datetime, count: int) -> datetime:
    """The same China wall-clock time ``count`` business days later (e.g. review deadlines)."""
    local = instant.astimezone(CHINA)
    day = add_business_days(local.date(), count)
    return datetime.combine(day, local.timetz()).astimezone(timezone.utc)


def china_day_start(instant: datetime) -> datetime:
    """Midnight China time of ``instant``'s China date, in UTC."""
    return datetime.combine(china_date(instant), time(0, 0), tzinfo=CHINA).astimezone(timezone.utc)
