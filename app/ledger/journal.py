"""Posting journals: the one place balances change.

A journal is two or more legs summing to zero, written in the caller's database
transaction. Wallet legs update the running balance with one conditional UPDATE
per wallet, in account-id order (a fixed lock order, so concurrent journals
cannot deadlock), and refuse to go below zero. Merchant and system legs only
append postings: no row lock, so hot accounts do not serialize payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import Account, Journal, Posting

from ..errors import DomainError, ErrorCode
from . import sql
from .accounts import WALLET, Balance

AVAILABLE = "AVAILABLE"
FROZEN = "FROZEN"

POST = "POST"  # settles a transaction (exactly one per succeeded transaction)
HOLD = "HOLD"  # available -> frozen
RELEASE = "RELEASE"  # frozen -> available


class UnbalancedJournal(Exception):
    """A programming error: legs that do not sum to zero."""


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: int
    bucket: str = AVAILABLE


async def post(
    conn: Any,
    legs: list[Leg],
    *,
    kind: str = POST,
    transaction_id: int | None = None,
    memo: str | None = None,
) -> dict[int, Balance]:
    """Write one balanced journal; returns the new balances of the wallets it touched.

    Raises ``DomainError(INSUFFICIENT_FUNDS)`` when a wallet would go below zero;
    the caller's transaction then rolls back and nothing moved.
    """
    if len(legs) < 2 or sum(leg.amount for leg in legs) != 0:
        raise UnbalancedJournal(f"legs must be two or more and sum to zero: {legs!r}")
    if any(not isinstance(leg.amount, int) for leg in legs):
        raise UnbalancedJournal("amounts are integer fen")

    deltas: dict[int, list[int]] = {}
    for leg in legs:
        if leg.account.kind == WALLET:
            delta = deltas.setdefault(leg.account.id, [0, 0])
            delta[0 if leg.bucket == AVAILABLE else 1] += leg.amount

    balances: dict[int, Balance] = {}
    for account_id in sorted(deltas):
        d_available, d_frozen = deltas[account_id]
        rows = await sql.fetch(
            conn,
            "UPDATE accounts SET available = available + ?, frozen = frozen + ?"
            " WHERE id = ? AND available + ? >= 0 AND frozen + ? >= 0"
            " RETURNING available, frozen",
            d_available,
            d_frozen,
            account_id,
            d_available,
            d_frozen,
        )
        if not rows:
            raise DomainError(ErrorCode.INSUFFICIENT_FUNDS, "余额不足", ("input", "amount"))
        balances[account_id] = Balance(int(rows[0]["available"]), int(rows[0]["frozen"]))

    journal = await Journal.create(kind=kind, transaction_id=transaction_id, memo=memo, using_db=conn)
    await Posting.bulk_create(
        [
            Posting(journal_id=journal.id, account_id=leg.account.id, bucket=leg.bucket, amount=leg.amount)
            for leg in legs
        ],
        using_db=conn,
    )
    return balances
