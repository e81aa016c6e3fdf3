"""Reading holdings: the viewer's own list, one by id, what is redeemable, and maturity dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tortoise import connections

from models.wealth import Holding, WealthProduct

from .. import clock
from ..business_days import CHINA, china_date
from ..db import Conn
from ..ledger import sql

HOLDING = "HOLDING"
REDEEMED = "REDEEMED"


def china_midnight(day: date) -> datetime:
    """00:00 China time of ``day``, as an aware datetime (UTC offset +8)."""
    return datetime.combine(day, time(0, 0), tzinfo=CHINA)


def term_dates(purchased_at: datetime, term_days: int | None) -> tuple[date | None, datetime | None]:
    """(last China date that earns, the instant the holding matures) for a fixed term.

    The purchase date earns nothing; the next ``term_days`` whole days do; the holding
    matures when the last of them ends (00:00 China time the day after).
    """
    if term_days is None:
        return None, None
    last_income_date = china_date(purchased_at) + timedelta(days=term_days)
    return last_income_date, china_midnight(last_income_date + timedelta(days=1))


def is_matured(holding: Holding, now: datetime | None = None) -> bool:
    return holding.matures_at is not None and (now or clock.now()) >= holding.matures_at


def may_redeem_now(holding: Holding, now: datetime | None = None) -> bool:
    """Open-ended holdings any day; fixed-term ones from maturity on."""
    return holding.status == HOLDING and (holding.matures_at is None or is_matured(holding, now))


def redeemable(holding: Holding, now: datetime | None = None) -> int:
    """What a redemption could take now: principal plus accrued income, or 0 before maturity."""
    if not may_redeem_now(holding, now):
        return 0
    return holding.principal + holding.accrued_income


async def holdings_of(user_id: int, *, include_redeemed: bool = False) -> list[Holding]:
    query = Holding.filter(user_id=user_id)
    if not include_redeemed:
        query = query.filter(status=HOLDING)
    return list(await query.order_by("-id"))


async def holding_of(user_id: int | None, holding_id: int | None) -> Holding | None:
    """The holding when it belongs to ``user_id``; None for anyone else (no hint that it exists)."""
    if user_id is None or holding_id is None:
        return None
    return await Holding.get_or_none(id=holding_id, user_id=user_id)


async def product_of(holding: Holding, conn: Conn | None = None) -> WealthProduct:
    return await WealthProduct.get(id=holding.product_id, using_db=conn)


async def custody_total_of_holdings() -> int:
    """Sum of principal + accrued income over live holdings (what WEALTH_CUSTODY should hold)."""
    rows = await sql.fetch(
        connections.get("default"),
        "SELECT COALESCE(SUM(principal + accrued_income), 0) AS total FROM wealth_holdings WHERE status = ?",
        HOLDING,
    )
    return int(rows[0]["total"])
