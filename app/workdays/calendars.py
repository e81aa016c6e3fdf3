"""Which days of a year are working days in mainland China, and where fenpay learnt it.

1. ``chinese_calendar`` (primary): statutory holidays and make-up working days of the years
   it ships data for.
2. For other years: the statutory holidays of the ``holidays`` package (its China calendar,
   including the days off it lists for the year) plus the make-up working days and extra
   holidays of the operators' file (``makeup_file``). A year missing from that file is still
   answered from the holidays package (weekends and statutory holidays are days off) but is
   marked ``makeup_known=False``: the daily job raises a risk alert from 1 November of the
   year before, and ``fenpay calendar YEAR`` says so. Never a silent Monday-Friday.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

import chinese_calendar
import holidays as holiday_tables

from .makeup_file import makeup_year

log = logging.getLogger(__name__)

PRIMARY = "chinese_calendar"
SECONDARY = "holidays"


@dataclass(frozen=True)
class YearCalendar:
    """One year: ``days_off`` are weekdays not worked, ``workdays`` weekend days worked (调休)."""

    year: int
    source: str
    """``chinese_calendar``, or ``holidays`` (with the make-up file)."""
    days_off: frozenset[date]
    workdays: frozenset[date]
    makeup_known: bool
    """Whether the year's make-up working days are known (always for the primary calendar)."""
    names: tuple[tuple[date, str], ...] = ()
    """Named holidays of the year (dates off, weekends included), for display."""

    def is_business_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def primary_knows(year: int) -> bool:
    """Whether ``chinese_calendar`` ships data for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _from_primary(year: int) -> YearCalendar:
    days_off, workdays, names = set(), set(), []
    for day in _days_of(year):
        working = chinese_calendar.is_workday(day)
        if day.weekday() < 5 and not working:
            days_off.add(day)
        elif day.weekday() >= 5 and working:
            workdays.add(day)
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if on_holiday and name:
            names.append((day, str(name)))
    return YearCalendar(year, PRIMARY, frozenset(days_off), frozenset(workdays), True, tuple(names))


def _from_secondary(year: int) -> YearCalendar:
    table = holiday_tables.China(years=year, language="zh_CN")
    named = sorted((day, name) for day, name in table.items() if day.year == year)
    days_off = {day for day, _ in named}
    workdays = {day for day in table.weekend_workdays if day.year == year}
    extra = makeup_year(year)
    if extra is not None:
        workdays |= extra.workdays
        days_off = (days_off | extra.holidays) - extra.workdays
        named += [(day, "假日（调休安排）") for day in sorted(extra.holidays - {d for d, _ in named})]
    else:
        _warn_makeup_unknown(year)
    return YearCalendar(year, SECONDARY, frozenset(days_off), frozenset(workdays), extra is not None, tuple(sorted(named)))


@cache
def _warn_makeup_unknown(year: int) -> None:
    log.warning(
        "make-up working days of %s are unknown: weekends and the holidays package's statutory"
        " holidays are days off; add the year to the make-up day file (FENPAY_CALENDAR_FILE)",
        year,
    )


@lru_cache(maxsize=64)
def _cached(year: int, file_version: object) -> YearCalendar:
    return _from_primary(year) if primary_knows(year) else _from_secondary(year)


def year_calendar(year: int) -> YearCalendar:
    """The calendar of ``year`` (cached; re-read when the make-up file changes)."""
    from .makeup_file import configured_path

    path = configured_path()
    try:
        version: object = (str(path), path.stat().st_mtime_ns)
    except OSError:
        version = (str(path), None)
    return _cached(year, version)
