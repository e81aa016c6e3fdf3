"""The database itself keeps the ledger append-only (both backends) and, on PostgreSQL,
balanced: whatever code runs, a journal or posting is never changed or removed, and a
transaction that writes an unbalanced journal does not commit (migration 1_ledger_guards)."""

from __future__ import annotations

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from app.ledger.reconcile import reconcile
from models import Journal, Posting
from tests.support.factories import fund, make_user, wallet_balance

CHANGES = (
    "UPDATE journals SET memo = 'forged'",
    "UPDATE postings SET amount = amount + 1",
    "DELETE FROM postings",
    "DELETE FROM journals",
)


@pytest.mark.parametrize("statement", CHANGES)
async def test_the_database_refuses_to_change_or_remove_ledger_rows(statement):
    user = await make_user()
    await fund(user, 50_00)
    conn = connections.get("default")
    with pytest.raises(Exception, match="append-only"):
        await conn.execute_query(statement)
    assert await Posting.all().count() == 2 and await Journal.all().count() == 1
    assert await wallet_balance(user) == (50_00, 0)
    assert (await reconcile()).clean


async def test_the_orm_cannot_change_or_remove_them_either():
    user = await make_user()
    await fund(user, 50_00)
    posting = await Posting.first()
    journal = await Journal.first()
    for attempt in (
        lambda: Posting.filter(id=posting.id).update(amount=1),
        lambda: Journal.filter(id=journal.id).update(memo="x"),
        posting.delete,
        lambda: Journal.all().delete(),
    ):
        with pytest.raises(Exception, match="append-only"):
            await attempt()
    assert [p.amount for p in await Posting.all().order_by("amount")] == [-50_00, 50_00]


async def _write_journal(amounts: list[int]) -> None:
    """A journal with postings of ``amounts`` on the user's wallet and the bank clearing
    account, written with plain SQL in one transaction (as a faulty code path would)."""
    user = await make_user()
    await fund(user, 10_00)
    accounts = [p.account_id for p in await Posting.all().order_by("id")]
    async with in_transaction("default") as conn:
        journal = await Journal.create(kind="POST", memo="hand-written", using_db=conn)
        for account_id, amount in zip(accounts, amounts):
            await Posting.create(journal_id=journal.id, account_id=account_id, amount=amount, using_db=conn)


async def test_postgres_refuses_an_unbalanced_journal_at_commit():
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("the balance trigger is PostgreSQL's (SQLite: the kernel's UnbalancedJournal check)")
    with pytest.raises(Exception, match="is not balanced: its postings sum to 1 fen"):
        await _write_journal([-5_00, 5_01])
    assert await Journal.filter(memo="hand-written").count() == 0
    assert await Posting.all().count() == 2  # only the funding journal's


async def test_a_balanced_journal_commits():
    await _write_journal([-3_00, 3_00])
    journal = await Journal.get(memo="hand-written")
    assert sorted(p.amount for p in await Posting.filter(journal_id=journal.id)) == [-3_00, 3_00]
