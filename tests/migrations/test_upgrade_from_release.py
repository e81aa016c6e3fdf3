"""Upgrading a database in service: the release's own ``fenpay serve`` (``app.dbschema.RELEASED``,
checked out of git) builds a database and fills it with money through its API (users, card top-ups,
wallet and card payments, a refund); this checkout's ``fenpay migrate`` then applies the
newer migrations and ``fenpay reconcile`` finds the ledger clean, the money where it was and
the new guards in force. Runs on the selected backend (SQLite, or PostgreSQL)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from app import dbschema
from tests.e2e.client import Api, make_staff
from tests.e2e.server import forbidden_excerpt, stop

from . import release
from .conftest import fenpay, fenpay_env
from .shape import differences, postgres_shape, sqlite_shape

REQUEST = "mutation($input: RequestRefundInput!) { requestRefund(input: $input) { refund { id status } errors { code message field } } }"
REVIEW = "mutation($input: ReviewRefundInput!) { reviewRefund(input: $input) { refund { id status } errors { code message field } } }"


async def _fill(server: release.ReleaseServer) -> dict[str, str]:
    async with Api.connect(server) as api:
        staff = await make_staff(api)
        owner = await api.new_customer(staff, top_up=None, real_name="周老板")
        merchant_no = await api.create_merchant(staff, owner, "升级面馆")
        payer = await api.new_customer(staff, top_up="500.00", real_name="吴升级")
        paid = {}
        for channel, amount in (("WALLET_BALANCE", "20.00"), ("BANK_CARD", "30.00"), ("WALLET_BALANCE", "45.00")):
            payload = await api.pay(payer, merchant_no, amount, channel)
            assert not payload["errors"], payload
            paid[amount] = payload["transaction"]["transactionNo"]
        asked = await api.mutate(REQUEST, {"input": {"transactionNo": paid["45.00"], "reason": "WRONG_AMOUNT"}},
                                 token=payer.token)
        done = await api.mutate(REVIEW, {"input": {"refundId": asked["refund"]["id"], "approve": True}},
                                token=staff.support.token)
        assert done["refund"]["status"] == "COMPLETED", done
        balance = await api.balance(payer)
        assert balance["available"] == "480.00", balance
        return balance


def _refused(url: str, statement: str) -> str:
    """The database's refusal of ``statement`` (the test fails if it is accepted)."""
    if url.startswith("sqlite://"):
        conn = sqlite3.connect(url[len("sqlite://"):])
        try:
            with pytest.raises(sqlite3.DatabaseError) as refused:
                conn.execute(statement)
            return str(refused.value)
        finally:
            conn.close()

    async def attempt() -> str:
        import asyncpg

        from tests.migrations.shape import connect_postgres

        conn = await connect_postgres(url)
        try:
            with pytest.raises(asyncpg.PostgresError) as refused:
                await conn.execute(statement)
            return str(refused.value)
        finally:
            await conn.close()

    return asyncio.run(attempt())


@pytest.mark.skipif(not release.has_history(), reason="needs the git history of this checkout (not a shallow clone)")
def test_a_release_database_with_money_upgrades_and_reconciles(new_database, tmp_path: Path) -> None:
    commit, last = release.previous_release()
    assert last == dbschema.RELEASED, (commit, last)
    newer = [p.name for p in dbschema.version_files()]
    newer = newer[newer.index(last) + 1:]
    tree = release.check_out(commit, tmp_path / "release")
    url = new_database()
    env = fenpay_env(url, tmp_path / "data")

    server = release.start(tree, env, tmp_path)
    try:
        before = asyncio.run(_fill(server))
    finally:
        stop(server)
    assert forbidden_excerpt(server.output()) is None, server.output()
    assert server.run("reconcile").splitlines()[-1] == "ledger clean"

    assert fenpay("migrate", env=env).strip() == f"applied: {', '.join(newer)}"
    assert fenpay("migrate", env=env).strip() == "database is up to date"
    report = fenpay("reconcile", env=env).splitlines()
    assert report[-1] == "ledger clean", report
    figures = dict(line.split(": ", 1) for line in report[:-1])
    assert int(figures["wallet_available_fen"]) >= int(before["available"].replace(".", ""))

    assert "append-only" in _refused(url, "UPDATE postings SET amount = amount + 1")
    assert "append-only" in _refused(url, "DELETE FROM journals")
    shape = sqlite_shape(url[len("sqlite://"):]) if url.startswith("sqlite://") else asyncio.run(postgres_shape(url))
    assert ("idx_journals_transac_f8482a", ("transaction_id",), False) in shape["journals"]["indexes"]
    reference = new_database()
    fenpay("migrate", env=fenpay_env(reference, tmp_path / "reference"))
    expected = sqlite_shape(reference[len("sqlite://"):]) if reference.startswith("sqlite://") else asyncio.run(postgres_shape(reference))
    assert differences(expected, shape) == []
