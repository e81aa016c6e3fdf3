"""The daily wealth job: accrue income for every complete China day and redeem matured holdings.

Safe to run at any interval and any number of times: a holding only accrues the days
after its last accrual, so running twice for the same instant adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import cast

from tortoise.expressions import Q

from models.wealth import Holding

from ..business_days import china_date
from ..ledger.accounts import balance_of, system_account
from .holdings import HOLDING, custody_total_of_holdings
from .redemption import accrue_and_mature_holding

log = logging.getLogger(__name__)
BATCH = 500


async def _due_holdings(now: datetime) -> AsyncIterator[int]:
    """Ids of live holdings with a complete day to accrue or a maturity reached, in id order."""
    yesterday = china_date(now) - timedelta(days=1)
    due = Q(accrued_through__lt=yesterday) | Q(matures_at__lte=now)
    after_id = 0
    while True:
        query = Holding.filter(due, status=HOLDING, id__gt=after_id).order_by("id").limit(BATCH)
        ids = cast("list[int]", await query.values_list("id", flat=True))
        for holding_id in ids:
            yield holding_id
        if len(ids) < BATCH:
            return
        after_id = ids[-1]


async def accrue_and_mature(now: datetime) -> str:
    holdings = days = fen = matured = failed = 0
    async for holding_id in _due_holdings(now):
        try:
            d, f, m = await accrue_and_mature_holding(holding_id, now)
        except Exception:  # one bad holding must not stop the others; it is retried next run
            log.exception("wealth income: holding %s failed", holding_id)
            failed += 1
            continue
        holdings += 1 if d or m else 0
        days += d
        fen += f
        matured += 1 if m else 0
    summary = f"accrued {days} holding-days on {holdings} holdings ({fen} fen), matured {matured}"
    return summary + (f", {failed} failed" if failed else "")


async def check_custody(now: datetime) -> str:
    """WEALTH_CUSTODY must hold exactly the principal plus accrued income of live holdings."""
    custody = (await balance_of(await system_account("WEALTH_CUSTODY"))).total
    expected = await custody_total_of_holdings()
    if custody != expected:
        return f"BREAK: custody holds {custody} fen but live holdings total {expected} fen"
    return f"custody matches holdings: {custody} fen"
