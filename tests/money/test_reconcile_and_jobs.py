"""`fenpay reconcile` reports breaks and exits non-zero; `fenpay jobs run --now` pays out withdrawals."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime

from tortoise import connections

from app.events.outbox import unit_of_work
from app.ledger import journal, sql
from app.ledger.accounts import wallet_of
from app.ledger.numbers import new_number
from app.ledger.reconcile import reconcile
from models import Transaction
from tests.factories import fund, make_user, wallet_balance
from tests.money.support import bind_card, withdraw


async def fenpay(*args: str) -> subprocess.CompletedProcess[str]:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=120, env=dict(os.environ)
        )

    return await asyncio.to_thread(run)


async def test_jobs_run_pays_out_due_withdrawals_and_reconcile_is_clean(gql):
    user = await make_user()
    card = await bind_card(gql, user)
    await fund(user, 50_000)
    tx = (await withdraw(gql, user, "100", card=card))["transaction"]
    due = datetime.fromisoformat(tx["expectedArrivalAt"])
    result = await fenpay("jobs", "run", "--now", due.isoformat())
    assert result.returncode == 0, result.stderr
    assert "settle-withdrawals: withdrawals paid out 1" in result.stdout
    assert (await Transaction.get(transaction_no=tx["transactionNo"])).status == "SUCCEEDED"
    assert await wallet_balance(user) == (40_000, 0)
    clean = await fenpay("reconcile")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "ledger clean" in clean.stdout and "wallet_available_fen: 40000" in clean.stdout


async def test_reconcile_finds_each_kind_of_break():
    user = await make_user()
    await fund(user, 10_000)
    wallet = await wallet_of(user.id)
    conn = connections.get("default")
    # A balance written behind the ledger's back.
    await sql.execute(conn, "UPDATE accounts SET available = available + 1 WHERE id = ?", wallet.id)
    # A failed transaction that kept its hold.
    async with unit_of_work() as uow:
        stuck = await Transaction.create(
            transaction_no=new_number("T"), type="WITHDRAWAL", status="FAILED", channel="BANK_CARD",
            amount=1_000, account_id=wallet.id, using_db=uow.conn,
        )
        await journal.post(
            uow.conn,
            [journal.Leg(wallet, -1_000, journal.AVAILABLE), journal.Leg(wallet, 1_000, journal.HELD)],
            kind=journal.HOLD, transaction_id=stuck.id,
        )
    # A succeeded transaction without its journal.
    await Transaction.create(
        transaction_no=new_number("T"), type="TOP_UP", status="SUCCEEDED", channel="BANK_CARD",
        amount=500, account_id=wallet.id,
    )
    report = await reconcile()
    text = "\n".join(report.breaks)
    assert f"wallet {wallet.id} holds" in text
    assert f"transaction {stuck.id} is FAILED but still holds 1000 on hold" in text
    assert "with 0 posting journals" in text
    result = await fenpay("reconcile")
    assert result.returncode == 1
    assert "BREAK:" in result.stdout
