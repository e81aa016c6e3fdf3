"""Daily income: every whole China day a holding is held earns ``principal * rate / 365``.

A day earns on the principal held when it ends (a redemption first accrues the days
already complete, so it never changes the principal of a day before). The purchase
date earns nothing; a fixed-term holding earns through its last income date. Each day
is one ``WealthAccrual`` row (unique per holding and date, so no day is paid twice);
a day worth at least one fen is also a WEALTH_INCOME transaction with its journal
INTEREST_EXPENSE -> WEALTH_CUSTODY. What is below one fen is carried to the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models.wealth import Holding, WealthAccrual, WealthProduct

from ..business_days import china_date
from ..events.outbox import UnitOfWork
from .bookings import book_income
from .rates import daily_income


@dataclass
class Accrued:
    days: int = 0
    fen: int = 0


def last_accruable_date(holding: Holding, now: datetime) -> date:
    """The newest China date that is complete at ``now`` and within the holding's term."""
    last = china_date(now) - timedelta(days=1)
    if holding.last_income_date is not None and holding.last_income_date < last:
        return holding.last_income_date
    return last


async def accrue(uow: UnitOfWork, holding: Holding, product: WealthProduct, now: datetime) -> Accrued:
    """Accrue every complete day since the holding's last accrual, in the caller's transaction.

    ``holding`` must be locked by the caller (select_for_update) and is updated in place.
    """
    result = Accrued()
    if holding.status != "HOLDING":
        return result
    last = last_accruable_date(holding, now)
    day = holding.accrued_through + timedelta(days=1)
    if day > last:
        return result
    income = holding.accrued_income
    remainder = holding.income_remainder
    accruals: list[WealthAccrual] = []
    while day <= last:
        earned = daily_income(holding.principal, holding.rate_bp, remainder)
        remainder = earned.remainder
        transaction_id = None
        if earned.fen > 0:
            tx = await book_income(uow, holding.account_id, product, holding.id, earned.fen, day.isoformat())
            transaction_id = tx.id
        accruals.append(
            WealthAccrual(
                holding_id=holding.id,
                income_date=day,
                principal=holding.principal,
                amount=earned.fen,
                transaction_id=transaction_id,
            )
        )
        income += earned.fen
        result.days += 1
        result.fen += earned.fen
        day += timedelta(days=1)
    # The unique (holding, date) index refuses a day accrued twice, whatever the race.
    await WealthAccrual.bulk_create(accruals, using_db=uow.conn)
    updated = (
        await Holding.filter(id=holding.id, accrued_through=holding.accrued_through, status="HOLDING")
        .using_db(uow.conn)
        .update(accrued_income=income, income_remainder=remainder, accrued_through=last)
    )
    if updated != 1:
        raise RuntimeError(f"holding {holding.id} changed while accruing (it must be locked)")
    holding.accrued_income = income
    holding.income_remainder = remainder
    holding.accrued_through = last
    return result
