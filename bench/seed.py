"""Seed a benchmark database directly: verified users with funded wallets, merchants,
and a large transaction history, all as balanced journals so `fenpay reconcile` stays clean."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from app import clock
from app.identity.passwords import hash_password, hash_payment_password
from app.ledger import sql
from app.ledger.accounts import new_account_no
from models import Account, Merchant, User

PIN = "135790"
PASSWORD = "Bench#2026pay"


@dataclass
class Seeded:
    user_ids: list[int]
    merchant_nos: list[str]
    history_user_id: int


async def seed(conn, *, users: int, merchants: int, balance_fen: int, history_rows: int, history_user_rows: int,  # noqa: ANN001
               advance: Callable[[int], None] = lambda done: None) -> Seeded:
    """Users, wallets, merchants and history; ``advance(1)`` after each of the ``seed_steps(...)``
    steps (a progress bar's)."""
    password_hash = hash_password(PASSWORD)
    now = clock.now()
    people = [
        User(phone=f"139{i:08d}", password_hash=password_hash, real_name_status="VERIFIED", created_at=now)
        for i in range(users + merchants)
    ]
    await User.bulk_create(people, batch_size=2000, using_db=conn)
    ids = [row["id"] for row in await sql.fetch(conn, "SELECT id FROM users ORDER BY id")]
    advance(1)
    for user_id in ids:  # keyed PIN hashes depend on the id
        await sql.execute(conn, "UPDATE users SET payment_password_hash = ? WHERE id = ?",
                          hash_payment_password(user_id, PIN), user_id)
        advance(1)
    wallets = [
        Account(kind="WALLET", name="钱包", user_id=uid, account_no=new_account_no(), created_at=now)
        for uid in ids[:users]
    ]
    await Account.bulk_create(wallets, batch_size=2000, using_db=conn)
    owner_ids = ids[users:]
    shops = [
        Account(kind="MERCHANT", name=f"商户{i}", user_id=uid, account_no=new_account_no(), created_at=now)
        for i, uid in enumerate(owner_ids)
    ]
    await Account.bulk_create(shops, batch_size=2000, using_db=conn)
    await sql.execute(conn, "UPDATE users SET roles = 'USER MERCHANT' WHERE id >= ?", owner_ids[0])
    merchant_accounts = await sql.fetch(conn, "SELECT id, user_id FROM accounts WHERE kind = 'MERCHANT' ORDER BY id")
    await Merchant.bulk_create(
        [
            Merchant(merchant_no=f"M{i:08d}", name=f"压测商户{i}", category="餐饮", owner_id=row["user_id"],
                     account_id=row["id"], created_at=now)
            for i, row in enumerate(merchant_accounts)
        ],
        using_db=conn,
    )
    advance(1)
    await _history(conn, users=users, balance_fen=balance_fen, rows=history_rows, user_rows=history_user_rows)
    advance(1)
    return Seeded(user_ids=ids[:users], merchant_nos=[f"M{i:08d}" for i in range(merchants)], history_user_id=ids[0])


def seed_steps(users: int, merchants: int) -> int:
    """How many times ``seed`` calls ``advance``: the users, each payment password (the slow
    part: a keyed hash per user), the accounts and merchants, the history."""
    return 3 + users + merchants


async def _history(conn, *, users: int, balance_fen: int, rows: int, user_rows: int) -> None:  # noqa: ANN001
    """One funding top-up per wallet, then ``rows`` small top-ups spread over 80 days, of which
    ``user_rows`` belong to the first wallet. Each is a transaction with one balanced journal."""
    bank = (await sql.fetch(conn, "SELECT id FROM accounts WHERE code = 'BANK_CLEARING'"))[0]["id"]
    first_wallet = (await sql.fetch(conn, "SELECT MIN(id) AS id FROM accounts WHERE kind = 'WALLET'"))[0]["id"]
    start = clock.now() - timedelta(days=80)
    # Funding rows: one per wallet; history rows: numbered n, the first user_rows go to the first wallet.
    await sql.execute(
        conn,
        "INSERT INTO transactions (transaction_no, type, status, channel, amount, fee, account_id,"
        " counterparty_name, refunded_amount, created_at, completed_at)"
        " SELECT 'TB' || a.id, 'TOP_UP', 'SUCCEEDED', 'BANK_CARD', ?, 0, a.id, '招商银行', 0, ?, ?"
        " FROM accounts a WHERE a.kind = 'WALLET'",
        balance_fen, start, start,
    )
    if rows:  # a run may want the funding rows only
        await sql.execute(
            conn,
            "INSERT INTO transactions (transaction_no, type, status, channel, amount, fee, account_id,"
            " counterparty_name, refunded_amount, created_at, completed_at)"
            " SELECT 'TH' || n, 'TOP_UP', 'SUCCEEDED', 'BANK_CARD', 100 + (n % 900), 0,"
            " CASE WHEN n <= ? THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) + 1 + (n % (CAST(? AS BIGINT) - 1)) END,"
            " '招商银行', 0,"
            " CAST(? AS TIMESTAMPTZ) + (n * interval '1 second' * (6912000.0 / ?)),"
            " CAST(? AS TIMESTAMPTZ) + (n * interval '1 second' * (6912000.0 / ?))"
            " FROM generate_series(1, ?) AS n",
            user_rows, first_wallet, first_wallet, users, start, rows, start, rows, rows,
        )
    await sql.execute(
        conn,
        "INSERT INTO journals (kind, transaction_id, created_at) SELECT 'POST', id, created_at FROM transactions",
    )
    await sql.execute(
        conn,
        "INSERT INTO postings (journal_id, account_id, bucket, amount, created_at)"
        " SELECT j.id, t.account_id, 'AVAILABLE', t.amount, j.created_at FROM journals j JOIN transactions t ON t.id = j.transaction_id"
        " UNION ALL"
        " SELECT j.id, ?, 'AVAILABLE', -t.amount, j.created_at FROM journals j JOIN transactions t ON t.id = j.transaction_id",
        bank,
    )
    await sql.execute(
        conn,
        "UPDATE accounts SET available = s.total FROM"
        " (SELECT account_id, SUM(amount) AS total FROM postings GROUP BY account_id) s"
        " WHERE s.account_id = accounts.id AND accounts.kind = 'WALLET'",
    )
    await sql.execute(conn, "ANALYZE")
