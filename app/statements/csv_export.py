"""A period of the wallet's statement as CSV (UTF-8 with a BOM, so spreadsheet programs
read the Chinese text), behind a signed short-lived link.

Columns: 时间 (China time), 交易单号, 类型, 收支, 金额 (yuan, two decimals, signed), 对方,
说明. Rows are the ledger entries of the period, oldest first (as in the monthly
statement); the last rows are totals and say so in 类型 (TOTAL_INCOME, TOTAL_SPENDING,
OPENING_BALANCE, CLOSING_BALANCE).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .. import clock, signed_links
from ..business_days import CHINA
from ..errors import DomainError, ErrorCode
from ..money import format_fen
from .entries import MAX_MONTHS_BACK, Period, balance_before, china_midnight, wallet_entries, wallet_id_of

PURPOSE = "statement-csv"
LINK_TTL = timedelta(minutes=10)
MAX_DAYS = 366
PATH = "/statements/export.csv"
HEADER = ["时间", "交易单号", "类型", "收支", "金额", "对方", "说明"]


@dataclass(frozen=True)
class ExportLink:
    url: str
    expires_at: datetime


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "日期格式应为 YYYY-MM-DD", (name,)) from None


def export_period(start_text: str, end_text: str) -> tuple[date, date]:
    """Validate an inclusive China-day range: ordered, not in the future, at most 366 days,
    within five years. VALIDATION_FAILED naming ``from`` or ``to``."""
    first, last = _day(start_text, "from"), _day(end_text, "to")
    today = clock.now().astimezone(CHINA).date()
    if first > last:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "开始日期不能晚于结束日期", ("from",))
    if last > today:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "结束日期不能晚于今天", ("to",))
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"一次最多导出 {MAX_DAYS} 天", ("from",))
    if (today.year * 12 + today.month) - (first.year * 12 + first.month) > MAX_MONTHS_BACK:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"只能导出最近 {MAX_MONTHS_BACK} 个月的账单", ("from",))
    return first, last


def export_link(user_id: int, start_text: str, end_text: str) -> ExportLink:
    """A signed link to the CSV of the period (valid LINK_TTL, no token needed)."""
    first, last = export_period(start_text, end_text)
    token, expires = signed_links.sign(
        PURPOSE, {"u": user_id, "f": first.isoformat(), "t": last.isoformat()}, LINK_TTL
    )
    return ExportLink(url=signed_links.url(PATH, token), expires_at=expires)


async def statement_csv(user_id: int, first: date, last: date) -> bytes:
    """The CSV document (UTF-8 with BOM) of the user's wallet entries from ``first`` to ``last``."""
    wallet_id = await wallet_id_of(user_id)
    period = Period(china_midnight(first), china_midnight(last + timedelta(days=1)))
    opening = await balance_before(wallet_id, period.start)
    entries = await wallet_entries(wallet_id, period)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in entries:
        tx = e.transaction
        writer.writerow([
            e.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            tx.transaction_no if tx else "",
            e.type,
            "收入" if e.net > 0 else "支出",
            format_fen(e.net),
            e.counterparty,
            (tx.description or "") if tx else "",
        ])
    income = sum(e.net for e in entries if e.net > 0)
    spending = -sum(e.net for e in entries if e.net < 0)
    writer.writerow(["", "", "TOTAL_INCOME", "收入合计", format_fen(income), "", ""])
    writer.writerow(["", "", "TOTAL_SPENDING", "支出合计", format_fen(-spending), "", ""])
    writer.writerow(["", "", "OPENING_BALANCE", "期初余额", format_fen(opening), "", ""])
    writer.writerow(["", "", "CLOSING_BALANCE", "期末余额", format_fen(opening + income - spending), "", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


async def csv_for_token(token: str | None) -> tuple[bytes, str] | None:
    """(document, file name) for a genuine unexpired link token, else None."""
    data = await signed_links.verify_for_open_account(PURPOSE, token)
    if data is None:
        return None
    first, last = date.fromisoformat(data["f"]), date.fromisoformat(data["t"])
    body = await statement_csv(int(data["u"]), first, last)
    return body, f"fenpay-statement-{first:%Y%m%d}-{last:%Y%m%d}.csv"
