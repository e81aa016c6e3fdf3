"""What ``pay`` reads about the payer before its transaction, in one statement (seed 4.1).

The payer's wallet, the payment-password lock state and whether the idempotency key has
been used before are three indexed look-ups of rows keyed by the user; asking them in one
SELECT saves two round trips on every payment. Each figure is used exactly as its own read
would be: the lock state by ``verify_payment_password`` (the atomic counter stays the
authority for wrong tries), the key probe by ``kernel.earlier`` (``kernel.move`` stays the
authority for concurrent first uses), the wallet as the movement's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from tortoise import connections

from models import Account, User

from ..identity.payment_password import PasswordState
from ..ledger import sql
from ..ledger.accounts import WALLET


@dataclass(frozen=True)
class PayerFacts:
    wallet: Account
    password: PasswordState
    key_used: bool
    """An idempotency record of this user with this key existed when read."""


@lru_cache(maxsize=1)
def _statement() -> str:
    return (
        f"SELECT {sql.columns(Account, 'a')}, users.payment_password_failures AS failures,"
        " users.payment_locked_until AS locked_until,"
        " EXISTS (SELECT 1 FROM idempotency_records r WHERE r.user_id = ? AND r.key = ?) AS key_used"
        " FROM accounts JOIN users ON users.id = accounts.user_id"
        " WHERE accounts.user_id = ? AND accounts.kind = ? LIMIT 1"
    )


def _when(value: object) -> datetime | None:
    # SQLite answers raw text: the model field converts it as the ORM would.
    return User._meta.fields_map["payment_locked_until"].to_python_value(value)


async def payer_facts(user_id: int, key: str) -> PayerFacts | None:
    """The payer's wallet, password lock state and key probe; None without a wallet."""
    rows = await sql.fetch(connections.get("default"), _statement(), user_id, key, user_id, WALLET)
    if not rows:
        return None
    row = rows[0]
    return PayerFacts(
        wallet=sql.from_row(Account, row, "a"),
        password=PasswordState(int(row["failures"] or 0), _when(row["locked_until"])),
        key_used=bool(row["key_used"]),
    )
