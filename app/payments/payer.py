"""What ``pay`` reads about the payer and the merchant before its transaction, in one statement (seed 4.1).

The payer's wallet, the payment-password lock state and whether the idempotency key has
been used before are three indexed look-ups of rows keyed by the user; asking them in one
SELECT saves two round trips on every payment; the merchant with its merchant account comes in the
same statement (``pay_parties``: one more round trip saved). Each figure is used exactly as its own read
would be: the lock state by ``verify_payment_password`` (the atomic counter stays the
authority for wrong tries), the key probe by ``kernel.earlier`` (``kernel.move`` stays the
authority for concurrent first uses), the wallet as the movement's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from tortoise import connections

from models import Account, Merchant, User

from ..identity.payment_password import PasswordState
from ..ledger import sql
from ..ledger.accounts import WALLET
from . import merchants


@dataclass(frozen=True)
class PayerFacts:
    wallet: Account
    password: PasswordState
    key_used: bool
    """An idempotency record of this user with this key existed when read."""


@dataclass(frozen=True)
class PayParties:
    payer: PayerFacts | None
    """None when the user has no wallet."""
    merchant: Merchant | None
    """With its merchant account loaded (``merchant.account``); None for an unknown number."""


@lru_cache(maxsize=1)
def _statement() -> str:
    return (
        f"SELECT {sql.columns(Account, 'a')}, users.payment_password_failures AS failures,"
        " users.payment_locked_until AS locked_until,"
        " EXISTS (SELECT 1 FROM idempotency_records r WHERE r.user_id = ? AND r.key = ?) AS key_used"
        " FROM accounts JOIN users ON users.id = accounts.user_id"
        " WHERE accounts.user_id = ? AND accounts.kind = ? LIMIT 1"
    )


@lru_cache(maxsize=1)
def _with_merchant() -> str:
    return (
        "SELECT payer.*, merchant.* FROM (SELECT 1 AS one) AS one"
        f" LEFT JOIN ({_statement()}) AS payer ON 1 = 1"
        f" LEFT JOIN ({merchants.by_no_statement('ma')}) AS merchant ON 1 = 1"
    )


def _when(value: object) -> datetime | None:
    # SQLite answers raw text: the model field converts it as the ORM would.
    return User._meta.fields_map["payment_locked_until"].to_python_value(value)


async def pay_parties(user_id: int, key: str, merchant_no: str) -> PayParties:
    """The payer's wallet, password lock state and key probe (None without a wallet) and the
    merchant (as ``merchants.merchant_by_no``), in one statement."""
    rows = await sql.fetch(
        connections.get("default"), _with_merchant(), user_id, key, user_id, WALLET, merchant_no.strip()
    )
    row = rows[0]
    return PayParties(_facts(row) if row["a.id"] is not None else None, merchants.from_row(row, "ma"))


def _facts(row: dict[str, Any]) -> PayerFacts:
    return PayerFacts(
        wallet=sql.from_row(Account, row, "a"),
        password=PasswordState(int(row["failures"] or 0), _when(row["locked_until"])),
        key_used=bool(row["key_used"]),
    )
