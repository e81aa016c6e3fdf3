"""Daily check that fenpay knows the coming year's make-up working days (调休).

From 1 November (China time), and for the current year at any time, a year whose make-up
working days are unknown (not in ``chinese_calendar`` and not in the make-up day file)
raises a HIGH platform risk alert, once per China day, until an operator adds the year.
"""

from __future__ import annotations

from datetime import datetime

from ..business_days import china_date
from .calendars import year_calendar

ALERT_TYPE = "CALENDAR_MAKEUP_DAYS_UNKNOWN"
FIRST_WARNING_MONTH = 11


def years_to_check(now: datetime) -> list[int]:
    """The current China year, and from November the next one."""
    today = china_date(now)
    years = [today.year]
    if today.month >= FIRST_WARNING_MONTH:
        years.append(today.year + 1)
    return years


async def check_makeup_days(now: datetime) -> str:
    """Raise an alert for each year in ``years_to_check`` whose make-up days are unknown."""
    from ..risk.alerts import PLATFORM, raise_alert

    unknown = [year for year in years_to_check(now) if not year_calendar(year).makeup_known]
    today = china_date(now).isoformat()
    for year in unknown:
        await raise_alert(
            ALERT_TYPE,
            "HIGH",
            f"{year} 年的调休上班日未知：节假日来自 holidays 包，但调休安排尚未录入。"
            f"请按国务院办公厅节假日安排通知把 {year} 年加入调休文件（FENPAY_CALENDAR_FILE），"
            "否则提现到账、退款审核期限和结算日期可能落在调休上班日之外的错误日期。",
            scope=PLATFORM,
            dedupe_key=f"{ALERT_TYPE}:{year}:{today}",
        )
    if not unknown:
        return "make-up working days known for " + ", ".join(map(str, years_to_check(now)))
    return "make-up working days unknown for " + ", ".join(map(str, unknown))
