"""What fenpay believes of a year's working days, as lines of text (``fenpay calendar YEAR``)."""

from __future__ import annotations

from datetime import date, timedelta

from .calendars import PRIMARY, year_calendar
from .makeup_file import configured_path

WEEKDAYS = "一二三四五六日"


def describe_year(year: int) -> list[str]:
    """Source, days off on weekdays (with holiday names), weekend working days and totals."""
    calendar = year_calendar(year)
    names = dict(calendar.names)
    if calendar.source == PRIMARY:
        lines = [f"{year}: source chinese_calendar (holidays and make-up working days)"]
    else:
        lines = [f"{year}: source holidays package (statutory holidays) + make-up day file {configured_path()}"]
        if calendar.makeup_known:
            lines.append(f"{year}: make-up working days from the file")
        else:
            lines.append(
                f"WARNING {year}: make-up working days UNKNOWN (not in the file): weekends are taken as days off"
            )
    lines.append("days off on weekdays:")
    for day in sorted(calendar.days_off):
        if day.weekday() < 5:
            lines.append(f"  {day.isoformat()} 周{WEEKDAYS[day.weekday()]} {names.get(day, '')}".rstrip())
    lines.append("weekend working days (调休):")
    lines += [f"  {day.isoformat()} 周{WEEKDAYS[day.weekday()]}" for day in sorted(calendar.workdays)] or ["  (none)"]
    day, total = date(year, 1, 1), 0
    while day.year == year:
        total += calendar.is_business_day(day)
        day += timedelta(days=1)
    lines.append(f"working days in {year}: {total}")
    return lines
