"""Posting journals: the one place balances change.

A journal is two or more legs summing to zero, written in the caller's database
transaction. Wallet legs update the running balance with one conditional UPDATE
per wallet, in account-id order (a fixed lock order, so concurrent journals
cannot deadlock), and refuse to go below zero (and, when the caller passes a
``max_wallet_balance``, above that total). Merchant and system legs only append
postings: no row lock, so hot accounts do not serialize payments. No money arrives in the
wallet of a closed account (``_refuse_closed``): every credit of a user wallet, whoever
starts it, passes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models import Account, Journal, Posting

from .. import clock
from ..db import Conn
from ..errors import DomainError, ErrorCode
from . import sql
from .accounts import WALLET, Balance

# Posting buckets: spendable money, and money on hold (stored as "FROZEN", the column and API
# name; not the account status FROZEN).
AVAILABLE = "AVAILABLE"
HELD = "FROZEN"

POST = "POST"  # completes a transaction (exactly one per succeeded transaction)
HOLD = "HOLD"  # available -> held
RELEASE = "RELEASE"  # held -> available


class UnbalancedJournal(Exception):
    """A programming error: legs that do not sum to zero."""


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: int
    bucket: str = AVAILABLE


def balanced_per_currency(legs: list[Leg]) -> bool:
    """Every currency's legs sum to zero (amounts in that currency's minor unit)."""
    totals: dict[str, int] = {}
    for leg in legs:
        currency = leg.account.currency
        totals[currency] = totals.get(currency, 0) + leg.amount
    return not any(totals.values())


async def post(
    conn: Conn,
    legs: list[Leg],
    *,
    kind: str = POST,
    transaction_id: int | None = None,
    memo: str | None = None,
    max_wallet_balance: int | None = None,
) -> dict[int, Balance]:
    """Write one journal balanced in each currency; returns the new balances of the wallets it touched.

    Raises ``DomainError(INSUFFICIENT_FUNDS)`` when a wallet would go below zero, and
    ``DomainError(AMOUNT_TOO_LARGE)`` when ``max_wallet_balance`` (fen) is given and a wallet
    whose total (available + held) grows would end above it; either way the caller's
    transaction then rolls back and nothing moved. Both checks are in the wallet's one
    conditional UPDATE, so they hold under any concurrency. Raises
    ``DomainError(ACCOUNT_CLOSED)`` when a wallet whose total grows belongs to a closed
    account (checked after its row lock is taken, so a closure either committed before and is
    seen, or waits and then finds the money as an obligation).
    """
    ordered = wallet_changes(legs)
    now = clock.now()
    balances: dict[int, Balance] = {}
    if conn.capabilities.dialect == "postgres":
        # All wallets but the last one by id first, then the last wallet, the journal and its
        # postings in one statement: a payment or a top-up is a single round trip.
        for account_id, delta in ordered[:-1]:
            balances[account_id] = await _move_wallet(conn, account_id, *delta, max_total=max_wallet_balance)
        last = ordered[-1] if ordered else None
        written = await _write_postgres(conn, last, legs, kind, transaction_id, memo, now, max_wallet_balance)
        if last is not None:
            balances[last[0]] = written
        await _refuse_closed(conn, ordered)
        return balances
    for account_id, delta in ordered:
        balances[account_id] = await _move_wallet(conn, account_id, *delta, max_total=max_wallet_balance)
    await _refuse_closed(conn, ordered)
    journal = await Journal.create(kind=kind, transaction_id=transaction_id, memo=memo, created_at=now, using_db=conn)
    await Posting.bulk_create(
        [
            Posting(journal_id=journal.id, account_id=leg.account.id, bucket=leg.bucket, amount=leg.amount,
                    created_at=now)
            for leg in legs
        ],
        using_db=conn,
    )
    return balances


def wallet_changes(legs: list[Leg]) -> list[tuple[int, list[int]]]:
    """The journal's wallets in the fixed lock order (account id), each with its
    ``[available, held]`` change in fen. Raises ``UnbalancedJournal`` for fewer than two legs,
    legs not summing to zero in each currency or amounts that are not integers."""
    if len(legs) < 2 or not balanced_per_currency(legs):
        raise UnbalancedJournal(f"legs must be two or more and sum to zero in each currency: {legs!r}")
    if any(not isinstance(leg.amount, int) for leg in legs):
        raise UnbalancedJournal("amounts are integer fen")
    deltas: dict[int, list[int]] = {}  # wallet id -> [available, held] change
    for leg in legs:
        if leg.account.kind == WALLET:
            delta = deltas.setdefault(leg.account.id, [0, 0])
            delta[0 if leg.bucket == AVAILABLE else 1] += leg.amount
    return sorted(deltas.items())


async def _refuse_closed(conn: Conn, ordered: list[tuple[int, list[int]]]) -> None:
    """ACCOUNT_CLOSED when money arrives (available + held grows) in a closed account's wallet.

    Run with the wallets' row locks held, as its own statement: on PostgreSQL it reads the
    users row as committed now (a condition inside the wallet UPDATE would be re-checked
    against the statement's older snapshot after waiting for a closure's lock). Movements that
    only debit or move money within a wallet pay nothing for it."""
    credited = [account_id for account_id, (d_available, d_held) in ordered if d_available + d_held > 0]
    if not credited:
        return
    rows = await sql.fetch(
        conn,
        "SELECT a.id FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.status = 'CLOSED' AND a.id IN ("
        + ", ".join("?" for _ in credited) + ")",
        *credited,
    )
    if rows:
        raise DomainError(ErrorCode.ACCOUNT_CLOSED, "收款账户已注销，无法入账", None)


def _insufficient() -> DomainError:
    return DomainError(ErrorCode.INSUFFICIENT_FUNDS, "余额不足", ("input", "amount"))


def _too_large(max_total: int) -> DomainError:
    from ..money import format_fen

    return DomainError(
        ErrorCode.AMOUNT_TOO_LARGE, f"账户余额不能超过 {format_fen(max_total)} 元", ("input", "amount")
    )


def _ceiling(max_total: int | None, d_available: int, d_held: int) -> tuple[str, tuple[int, ...]]:
    """The extra WHERE clause (and its values) keeping a growing wallet at or below ``max_total``."""
    if max_total is None or d_available + d_held <= 0:
        return "", ()
    return " AND available + frozen + ? <= ?", (d_available + d_held, max_total)


async def _refusal(conn: Conn, account_id: int, d_available: int, d_held: int, max_total: int | None) -> DomainError:
    """Why a wallet's conditional UPDATE matched no row (read under the lock the caller holds)."""
    rows = await sql.fetch(conn, "SELECT available, frozen FROM accounts WHERE id = ?", account_id)
    if rows and max_total is not None:
        available, held = int(rows[0]["available"]), int(rows[0]["frozen"])
        if available + d_available >= 0 and held + d_held >= 0:
            return _too_large(max_total)
    return _insufficient()


async def _move_wallet(
    conn: Conn, account_id: int, d_available: int, d_held: int, *, max_total: int | None = None
) -> Balance:
    clause, bound = _ceiling(max_total, d_available, d_held)
    rows = await sql.fetch(
        conn,
        "UPDATE accounts SET available = available + ?, frozen = frozen + ?"
        " WHERE id = ? AND available + ? >= 0 AND frozen + ? >= 0" + clause +
        " RETURNING available, frozen",
        d_available,
        d_held,
        account_id,
        d_available,
        d_held,
        *bound,
    )
    if not rows:
        raise await _refusal(conn, account_id, d_available, d_held, max_total if clause else None)
    return Balance(int(rows[0]["available"]), int(rows[0]["frozen"]))


_POSTINGS = (
    " INSERT INTO postings (journal_id, account_id, bucket, amount, created_at)"
    " SELECT journal.id, leg.account_id, leg.bucket, leg.amount, ?::timestamptz"
    " FROM journal, unnest(?::bigint[], ?::text[], ?::bigint[]) AS leg(account_id, bucket, amount)"
)


async def _write_postgres(
    conn: Conn,
    wallet: tuple[int, list[int]] | None,
    legs: list[Leg],
    kind: str,
    transaction_id: int | None,
    memo: str | None,
    now: datetime,
    max_total: int | None = None,
) -> Balance:
    """One statement: the wallet's conditional UPDATE (if any), then the journal and its postings,
    which are only written when the wallet row qualified (no row back: insufficient funds)."""
    columns = (
        [leg.account.id for leg in legs],
        [leg.bucket for leg in legs],
        [leg.amount for leg in legs],
    )
    if wallet is None:
        await sql.fetch(
            conn,
            "WITH journal AS (INSERT INTO journals (kind, transaction_id, memo, created_at)"
            " VALUES (?, ?, ?, ?) RETURNING id)," + " inserted AS (" + _POSTINGS + " RETURNING 1)"
            " SELECT count(*) AS n FROM inserted",
            kind, transaction_id, memo, now, now, *columns,
        )
        return Balance(0, 0)
    account_id, (d_available, d_held) = wallet
    clause, bound = _ceiling(max_total, d_available, d_held)
    rows = await sql.fetch(
        conn,
        "WITH wallet AS (UPDATE accounts SET available = available + ?, frozen = frozen + ?"
        " WHERE id = ? AND available + ? >= 0 AND frozen + ? >= 0" + clause + " RETURNING available, frozen),"
        " journal AS (INSERT INTO journals (kind, transaction_id, memo, created_at)"
        " SELECT ?::text, ?::bigint, ?::text, ?::timestamptz WHERE EXISTS (SELECT 1 FROM wallet) RETURNING id),"
        " inserted AS (" + _POSTINGS + " RETURNING 1)"
        " SELECT available, frozen FROM wallet",
        d_available, d_held, account_id, d_available, d_held, *bound,
        kind, transaction_id, memo, now, now, *columns,
    )
    if not rows:
        raise await _refusal(conn, account_id, d_available, d_held, max_total if clause else None)
    return Balance(int(rows[0]["available"]), int(rows[0]["frozen"]))
