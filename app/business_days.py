"""Chinese working days (statutory holidays and make-up working days) for every year.

``chinese_calendar`` first; for years it lacks, the ``holidays`` package plus the make-up
day file (see ``app.workdays.calendars``). Withdrawal, payout and refund arrival times and
refund review deadlines all use these functions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

from .workdays.calendars import year_calendar

CHINA = timezone(timedelta(hours=8))


def is_business_day(day: date) -> bool:
    """Whether ``day`` is a working day in mainland China."""
    return year_calendar(day.year).is_business_day(day)


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
    return datetime.combine(day, time(9, 0), tzinfo=CHINA).astimezone(UTC)


def business_days_later(instant: datetime, count: int) -> datetime:
    """The same China wall-clock time ``count`` business days later (e.g. review deadlines)."""
    local = instant.astimezone(CHINA)
    day = add_business_days(local.date(), count)
    return datetime.combine(day, local.timetz()).astimezone(UTC)


def china_day_start(instant: datetime) -> datetime:
    """Midnight China time of ``instant``'s China date, in UTC."""
    return datetime.combine(china_date(instant), time(0, 0), tzinfo=CHINA).astimezone(UTC)
