"""The database itself keeps the ledger append-only (both backends) and, on PostgreSQL,
balanced: whatever code runs, a journal or posting is never changed or removed, and a
transaction that writes an unbalanced journal does not commit (migration 1_ledger_guards)."""

from __future__ import annotations

import secrets

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from app.ledger.reconcile import reconcile
from models import Account, Journal, Posting
from tests.factories import fund, make_user, wallet_balance

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


async def _write_journal(amounts: list[int], *, currencies: tuple[str, ...] = ()) -> None:
    """A journal with postings of ``amounts`` on the user's wallet, the bank clearing account
    and then accounts in ``currencies``, written in one transaction past the kernel (as a
    faulty code path would)."""
    user = await make_user()
    await fund(user, 10_00)
    funding = await Journal.filter(transaction__account__user_id=user.id).get()
    accounts = [p.account_id for p in await Posting.filter(journal_id=funding.id).order_by("id")]
    for currency in currencies:
        other = await Account.create(account_no=f"FX{secrets.token_hex(6)}", kind="SYSTEM",
                                     name=f"{currency} position", currency=currency)
        accounts.append(other.id)
    async with in_transaction("default") as conn:
        journal = await Journal.create(kind="POST", memo="hand-written", using_db=conn)
        for account_id, amount in zip(accounts, amounts, strict=False):
            await Posting.create(journal_id=journal.id, account_id=account_id, amount=amount, using_db=conn)


async def test_postgres_refuses_an_unbalanced_journal_at_commit():
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("the balance trigger is PostgreSQL's (SQLite: the kernel's UnbalancedJournal check)")
    with pytest.raises(Exception, match="is not balanced: its CNY postings sum to 1"):
        await _write_journal([-5_00, 5_01])
    assert await Journal.filter(memo="hand-written").count() == 0
    assert await Posting.all().count() == 2  # only the funding journal's
    assert (await reconcile()).clean


async def test_postgres_balances_each_currency_on_its_own():
    """CNY -5.00 against JPY +500 sums to zero but moves money out of nothing: refused."""
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("the balance trigger is PostgreSQL's")
    with pytest.raises(Exception, match="is not balanced: its (CNY|JPY) postings sum to"):
        await _write_journal([-5_00, 0, 5_00], currencies=("JPY",))
    assert await Journal.filter(memo="hand-written").count() == 0
    # Each currency balanced on its own (through the FX position accounts) commits.
    await _write_journal([-5_00, 5_00, -7_50, 7_50], currencies=("JPY", "JPY"))
    assert await Journal.filter(memo="hand-written").count() == 1


async def test_a_balanced_journal_commits():
    await _write_journal([-3_00, 3_00])
    journal = await Journal.get(memo="hand-written")
    assert sorted(p.amount for p in await Posting.filter(journal_id=journal.id)) == [-3_00, 3_00]
