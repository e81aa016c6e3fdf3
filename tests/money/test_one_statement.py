"""The money kernel's one statement (app/ledger/one_statement.py, PostgreSQL; SQLite sends the
same rows one by one): every row a movement writes carries the figures the journal computed, and a
refused movement writes none of them."""

from __future__ import annotations

import pytest
from tortoise import connections

from app.errors import DomainError, ErrorCode
from app.events.outbox import UnitOfWork, unit_of_work
from app.ledger import kernel
from app.ledger.accounts import Balance, wallet_of
from app.ledger.journal import Leg
from app.ledger.kernel import Key, Movement, Notice
from app.ledger.one_statement import fen_text
from app.money import format_fen
from models import IdempotencyRecord, Journal, OutboxEvent, SandboxMessage, Transaction
from tests.conftest import PG_URL
from tests.factories import fund, make_user, wallet_balance


@pytest.mark.skipif(not PG_URL, reason="the SQL text of an amount is written by PostgreSQL only")
async def test_the_sql_amount_text_is_format_fen():
    amounts = [0, 1, 5, 9, 10, 99, 100, 105, 1050, 12_345_67, 10_000_000_000_00, -1, -5, -100, -1050, -12_345_67]
    conn = connections.get("default")
    select = ", ".join(f"{fen_text(f'${i + 1}::bigint')} AS a{i}" for i in range(len(amounts)))
    rows = await conn.execute_query_dict("SELECT " + select, amounts)
    assert [rows[0][f"a{i}"] for i in range(len(amounts))] == [format_fen(a) for a in amounts]


def _transfer(sender_wallet, recipient_wallet, sender, recipient, amount: int, key: str) -> Movement:  # noqa: ANN001
    def recipient_text(balance: Balance) -> str:
        return f"收到 {format_fen(amount)} 元，可用 {format_fen(balance.available)} 元，冻结 {format_fen(balance.held)} 元"

    return Movement(
        type="TRANSFER", account=sender_wallet, amount=amount, key=Key(sender.id, key, "transfer", "d"),
        legs=(Leg(sender_wallet, -amount), Leg(recipient_wallet, amount)),
        counterparty_account_id=recipient_wallet.id,
        notices=(
            Notice(sender_wallet, -amount, sms_phone=sender.phone),
            Notice(recipient_wallet, amount, sms_phone=recipient.phone, sms_text=recipient_text),
        ),
    )


@pytest.mark.parametrize("sender_first", [True, False], ids=["sender-locked-first", "recipient-locked-first"])
async def test_every_row_of_a_two_wallet_movement_carries_the_journals_balances(sender_first: bool):
    one, two = await make_user(), await make_user()
    sender, recipient = (one, two) if sender_first else (two, one)
    await fund(sender, 100_00)
    await fund(recipient, 7_00)
    sender_wallet, recipient_wallet = await wallet_of(sender.id), await wallet_of(recipient.id)

    result = await kernel.move(_transfer(sender_wallet, recipient_wallet, sender, recipient, 12_34, "t1"))

    tx = result.transaction
    assert tx.id is not None and (await Transaction.get(id=tx.id)).transaction_no == tx.transaction_no
    assert result.balance == Balance(87_66, 0) and await wallet_balance(sender) == (87_66, 0)
    assert await wallet_balance(recipient) == (19_34, 0)
    assert await Journal.filter(transaction_id=tx.id).count() == 1
    record = await IdempotencyRecord.get(user_id=sender.id, key="t1")
    assert record.transaction_id == tx.id and record.result == {"transactionId": tx.id}

    for wallet, delta, available in ((sender_wallet, -12_34, 87_66), (recipient_wallet, 12_34, 19_34)):
        events = await OutboxEvent.filter(topic=f"balance:{wallet.id}").order_by("-id").limit(1)
        payload = events[0].payload
        assert {k: payload[k] for k in ("accountId", "delta", "available", "frozen", "transactionId")} == {
            "accountId": wallet.id, "delta": delta, "available": available, "frozen": 0, "transactionId": tx.id,
        }
    sent = await SandboxMessage.filter(recipient=sender.phone, purpose="BALANCE").order_by("-id").first()
    assert sent is not None and sent.text.endswith("余额变动 -12.34 元，可用余额 87.66 元。"), sent.text
    received = await SandboxMessage.filter(recipient=recipient.phone, purpose="BALANCE").order_by("-id").first()
    assert received is not None and received.text == "收到 12.34 元，可用 19.34 元，冻结 0.00 元"


async def test_the_events_published_are_the_rows_written():
    sender, recipient = await make_user(), await make_user()
    await fund(sender, 50_00)
    sender_wallet, recipient_wallet = await wallet_of(sender.id), await wallet_of(recipient.id)
    seen: list[UnitOfWork] = []

    async def describe(uow: UnitOfWork) -> Movement:
        seen.append(uow)
        return _transfer(sender_wallet, recipient_wallet, sender, recipient, 5_00, "t2")

    await kernel.move_described(Key(sender.id, "t2", "transfer", "d"), describe)
    queued = seen[0].events
    assert len(queued) == 2 and all(event.id is not None for event in queued)
    for event in queued:
        stored = await OutboxEvent.get(id=event.id)
        assert (stored.topic, stored.payload) == (event.topic, event.payload)
        assert stored.published_at is not None  # published after commit, by the ids the statement returned


async def test_a_refused_movement_writes_none_of_its_rows():
    sender, recipient = await make_user(), await make_user()
    await fund(sender, 3_00)
    sender_wallet, recipient_wallet = await wallet_of(sender.id), await wallet_of(recipient.id)
    before = (await Transaction.all().count(), await OutboxEvent.all().count(), await SandboxMessage.all().count())
    with pytest.raises(DomainError) as refused:
        async with unit_of_work() as uow:
            # kernel.write in the caller's transaction: on PostgreSQL the refusal leaves nothing of
            # this movement behind even before the caller rolls back.
            try:
                await kernel.write(uow, Movement(
                    type="TRANSFER", account=sender_wallet, amount=5_00,
                    legs=(Leg(sender_wallet, -5_00), Leg(recipient_wallet, 5_00)),
                    notices=(Notice(sender_wallet, -5_00, sms_phone=sender.phone),),
                ))
            except DomainError:
                if PG_URL:  # SQLite writes the transaction row first, then the journal refuses
                    assert await Transaction.all().using_db(uow.conn).count() == before[0]
                    assert await OutboxEvent.all().using_db(uow.conn).count() == before[1]
                    assert await SandboxMessage.all().using_db(uow.conn).count() == before[2]
                raise
    assert refused.value.code is ErrorCode.INSUFFICIENT_FUNDS
    assert await wallet_balance(sender) == (3_00, 0) and await wallet_balance(recipient) == (0, 0)
