"""Accounts: user wallets, merchant accounts and the system accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import cast

from tortoise import connections
from tortoise.exceptions import DoesNotExist

from models import Account

from ..db import Conn
from . import sql

WALLET = "WALLET"
MERCHANT = "MERCHANT"
SYSTEM = "SYSTEM"

# The outside world, as the ledger sees it.
SYSTEM_ACCOUNTS = {
    "BANK_CLEARING": "银行清算",
    "THIRD_PARTY_CLEARING": "第三方支付清算",
    "OFFLINE_CLEARING": "线下汇款清算",
    "FEE_INCOME": "手续费收入",
    "WEALTH_CUSTODY": "理财托管",
    "INTEREST_EXPENSE": "理财收益支出",
    "RED_PACKET_CLEARING": "红包待领取",
    # The platform's position in each currency of cross-border payments (app/fx/).
    "FX_POSITION_CNY": "跨境汇兑头寸 CNY",
    "FX_POSITION_HKD": "跨境汇兑头寸 HKD",
    "FX_POSITION_USD": "跨境汇兑头寸 USD",
    "FX_POSITION_EUR": "跨境汇兑头寸 EUR",
    "FX_POSITION_JPY": "跨境汇兑头寸 JPY",
}


def system_currency(code: str) -> str:
    """The currency of a system account: an FX position's own, CNY for all others."""
    return code.removeprefix("FX_POSITION_") if code.startswith("FX_POSITION_") else "CNY"


@dataclass(frozen=True)
class Balance:
    available: int
    held: int  # on hold (the API's ``frozen``)

    @property
    def total(self) -> int:
        return self.available + self.held


def new_account_no() -> str:
    """Public 16-digit account number (not guessable, not sequential)."""
    return "6" + "".join(str(secrets.randbelow(10)) for _ in range(15))


async def ensure_system_accounts() -> None:
    """Create the missing system accounts with one insert-if-absent statement.

    ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite: ``INSERT OR IGNORE``) on the unique
    ``code``: any number of processes may run it at once on a fresh database.
    """
    present = set(cast("list[str]", await Account.filter(code__in=list(SYSTEM_ACCOUNTS)).values_list("code", flat=True)))
    missing = [
        Account(code=code, name=name, kind=SYSTEM, account_no=new_account_no(), currency=system_currency(code))
        for code, name in SYSTEM_ACCOUNTS.items()
        if code not in present
    ]
    if missing:
        await Account.bulk_create(missing, ignore_conflicts=True)


async def system_account(code: str) -> Account:
    return await Account.get(code=code)


async def open_account(
    kind: str, name: str, *, user_id: int | None, conn: Conn | None = None, currency: str = "CNY"
) -> Account:
    return await Account.create(
        kind=kind, name=name, user_id=user_id, account_no=new_account_no(), currency=currency, using_db=conn
    )


async def wallet_of(user_id: int, conn: Conn | None = None) -> Account:
    """The user's wallet (one indexed SELECT without an ORM query); DoesNotExist without one."""
    wallet = await sql.fetch_model(
        conn or connections.get("default"), Account, '"user_id" = ? AND "kind" = ?', user_id, WALLET
    )
    if wallet is None:
        raise DoesNotExist("钱包不存在")
    return wallet


async def balance_of(account: Account, conn: Conn | None = None) -> Balance:
    """Wallets keep running balances; other accounts are the sum of their postings."""
    if account.kind == WALLET:
        fresh = await Account.get(id=account.id, using_db=conn)
        return Balance(fresh.available, fresh.held)
    conn = conn or connections.get("default")
    rows = await sql.fetch(
        conn,
        "SELECT bucket, COALESCE(SUM(amount), 0) AS total FROM postings"
        " WHERE account_id = ? GROUP BY bucket",
        account.id,
    )
    totals = {row["bucket"]: int(row["total"]) for row in rows}
    return Balance(totals.get("AVAILABLE", 0), totals.get("FROZEN", 0))  # "FROZEN": the held bucket
