"""The monthly statement (月度账单, guide 5.1 / 8.1.5): opening and closing balance, income
and spending, by transaction type, by counterparty, and the top merchants.

Read from the ledger (app/statements/entries.py), so ``closing - opening = income -
spending`` holds exactly and the figures equal the wallet's postings for the month.
Months are China calendar months; any month of the last five years can be asked for
(the three-month window of the transaction list does not apply). Amounts in fen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from models import User

from .. import clock
from .entries import Entry, balance_before, month_period, wallet_entries, wallet_id_of

TOP_MERCHANTS = 5


@dataclass(frozen=True)
class Breakdown:
    """Money in and out (fen, both non-negative) for one key, and how many entries."""

    key: str
    income: int
    spending: int
    count: int


@dataclass(frozen=True)
class MonthlyStatement:
    month: str
    start: datetime
    end: datetime
    opening_balance: int
    closing_balance: int
    income: int
    spending: int
    by_type: list[Breakdown]
    by_counterparty: list[Breakdown]
    top_merchants: list[Breakdown]


def _group(entries: list[Entry], key_of: Callable[[Entry], Hashable], label_of: Callable[[Entry], str]) -> list[Breakdown]:
    """Entries grouped by ``key_of``, shown as ``label_of``; largest turnover first."""
    income: dict[Hashable, int] = defaultdict(int)
    spending: dict[Hashable, int] = defaultdict(int)
    count: dict[Hashable, int] = defaultdict(int)
    labels: dict[Hashable, str] = {}
    for entry in entries:
        key = key_of(entry)
        labels.setdefault(key, label_of(entry))
        if entry.net > 0:
            income[key] += entry.net
        else:
            spending[key] += -entry.net
        count[key] += 1
    rows = [Breakdown(labels[key], income[key], spending[key], count[key]) for key in count]
    return sorted(rows, key=lambda b: (-(b.income + b.spending), b.key))


async def monthly_statement(user: User, month: str) -> MonthlyStatement:
    """The statement of ``month`` ("YYYY-MM"); VALIDATION_FAILED on ``month`` when malformed,
    in the future or more than five years back. The current month runs up to now."""
    now = clock.now()
    period = month_period(month, now, ("month",))
    wallet_id = await wallet_id_of(user.id)
    opening = await balance_before(wallet_id, period.start)
    entries = await wallet_entries(wallet_id, period)
    income = sum(e.net for e in entries if e.net > 0)
    spending = -sum(e.net for e in entries if e.net < 0)
    merchant_spending = [e for e in entries if e.merchant]
    top = [b for b in _group(merchant_spending, lambda e: e.other_account_id, lambda e: e.counterparty) if b.spending > 0]
    top.sort(key=lambda b: (-(b.spending - b.income), b.key))
    return MonthlyStatement(
        month=month,
        start=period.start,
        end=period.end,
        opening_balance=opening,
        closing_balance=opening + income - spending,
        income=income,
        spending=spending,
        by_type=_group(entries, lambda e: e.type, lambda e: e.type),
        by_counterparty=_group(entries, lambda e: e.counterparty, lambda e: e.counterparty),
        top_merchants=top[:TOP_MERCHANTS],
    )

