"""The wallet's ledger entries over a period: one entry per journal that changed the
wallet's total balance (available + held), with the transaction it belongs to.

Holds and releases move money between the wallet's own buckets and net to zero, so
they never appear; everything that does appear sums to the balance change over the
period exactly (the statement's income minus spending equals closing minus opening).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise import connections

from models import Account, Transaction

from ..business_days import CHINA
from ..errors import DomainError, ErrorCode
from ..ledger import sql
from ..ledger.accounts import wallet_of

# How far back statements and exports reach: the five years records are kept for.
MAX_MONTHS_BACK = 60


@dataclass(frozen=True)
class Entry:
    """One journal's net effect on the wallet (fen; positive = money in) at ``at`` (UTC)."""

    journal_id: int
    at: datetime
    net: int
    transaction: Transaction | None
    # How the wallet's owner sees the other side, and whether it is a merchant.
    counterparty: str
    merchant: bool
    # The other side's account on the platform (merchant or wallet), if any.
    other_account_id: int | None = None

    @property
    def type(self) -> str:
        return self.transaction.type if self.transaction is not None else "ADJUSTMENT"


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, from China-time calendar boundaries."""

    start: datetime
    end: datetime


def china_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)


def month_period(month: str, now: datetime, field: tuple[str, ...]) -> Period:
    """``"YYYY-MM"`` as a period; VALIDATION_FAILED when malformed, in the future or older
    than MAX_MONTHS_BACK months."""
    try:
        year_text, month_text = month.split("-")
        if len(year_text) != 4 or len(month_text) != 2:
            raise ValueError(month)
        year, number = int(year_text), int(month_text)
        first = date(year, number, 1)
    except ValueError:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "月份格式应为 YYYY-MM", field) from None
    today = now.astimezone(CHINA).date()
    months_back = (today.year * 12 + today.month) - (year * 12 + number)
    if months_back < 0:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "不能查询未来月份的账单", field)
    if months_back > MAX_MONTHS_BACK:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"只能查询最近 {MAX_MONTHS_BACK} 个月的账单", field)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return Period(china_midnight(first), china_midnight(following))


async def balance_before(wallet_id: int, instant: datetime) -> int:
    """The wallet's total balance (fen) from its postings journaled before ``instant``."""
    rows = await sql.fetch(
        connections.get("default"),
        "SELECT COALESCE(SUM(p.amount), 0) AS total FROM postings p JOIN journals j ON j.id = p.journal_id"
        " WHERE p.account_id = ? AND j.created_at < ?",
        wallet_id,
        instant,
    )
    return int(rows[0]["total"] or 0)


def _counterparty(tx: Transaction | None, wallet_id: int) -> str:
    if tx is None:
        return "—"
    if tx.account_id == wallet_id:
        name, ref = tx.counterparty_name, tx.counterparty_ref
    else:
        name, ref = tx.initiator_name, tx.initiator_ref
    return name or ref or "—"


async def wallet_entries(wallet_id: int, period: Period) -> list[Entry]:
    """Every journal in ``period`` that changed the wallet's total balance, oldest first."""
    rows = await sql.fetch(
        connections.get("default"),
        "SELECT j.id AS journal_id, j.created_at AS at, j.transaction_id AS transaction_id,"
        " SUM(p.amount) AS net FROM postings p JOIN journals j ON j.id = p.journal_id"
        " WHERE p.account_id = ? AND j.created_at >= ? AND j.created_at < ?"
        " GROUP BY j.id, j.created_at, j.transaction_id HAVING SUM(p.amount) <> 0 ORDER BY j.id",
        wallet_id,
        period.start,
        period.end,
    )
    ids = {int(r["transaction_id"]) for r in rows if r["transaction_id"] is not None}
    transactions = {tx.id: tx for tx in await Transaction.filter(id__in=ids)} if ids else {}
    other_ids = {
        (tx.counterparty_account_id if tx.account_id == wallet_id else tx.account_id)
        for tx in transactions.values()
    } - {None}
    merchants = (
        set(await Account.filter(id__in=other_ids, kind="MERCHANT").values_list("id", flat=True)) if other_ids else set()
    )
    entries = []
    for row in rows:
        tx = transactions.get(int(row["transaction_id"])) if row["transaction_id"] is not None else None
        other = None if tx is None else (tx.counterparty_account_id if tx.account_id == wallet_id else tx.account_id)
        at = row["at"]
        if isinstance(at, str):  # SQLite hands back text
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        entries.append(
            Entry(
                journal_id=int(row["journal_id"]),
                at=at,
                net=int(row["net"]),
                transaction=tx,
                counterparty=_counterparty(tx, wallet_id),
                merchant=other in merchants,
                other_account_id=other,
            )
        )
    return entries


async def wallet_id_of(user_id: int) -> int:
    return (await wallet_of(user_id)).id
