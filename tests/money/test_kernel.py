"""The money kernel (app/ledger/kernel.py) directly, and its bounds through the API: balanced
journals, idempotent replays, a reused key, refusals that roll everything back and leave a
risk decision, and the maximum wallet balance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import clock
from app.errors import DomainError, ErrorCode
from app.events.outbox import UnitOfWork
from app.ledger import journal, kernel
from app.ledger.accounts import wallet_of
from app.ledger.journal import Leg
from app.ledger.kernel import Key, Movement
from app.ledger.reconcile import reconcile
from models import IdempotencyRecord, Journal, OutboxEvent, Posting, Transaction
from models.risk import RiskDecision
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.identity.helpers import change_settings
from tests.money.support import bind_card, payment_movement, top_up
from tests.payments.support import merchant_balance

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Beijing

TRANSFER = """
mutation($input: TransferInput!) { transfer(input: $input) {
  transaction { transactionNo status } account { available } errors { code message field }
} }"""


async def test_a_movement_writes_one_balanced_journal_its_events_and_its_key():
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    result = await kernel.move(await payment_movement(payer, merchant, 30_00, "k1"))

    assert not result.replayed and result.transaction.status == "SUCCEEDED"
    assert (result.account.available, result.account.held) == (70_00, 0)
    journals = await Journal.filter(transaction_id=result.transaction.id)
    assert [j.kind for j in journals] == ["POST"]
    postings = await Posting.filter(journal_id=journals[0].id)
    assert sum(p.amount for p in postings) == 0 and len(postings) == 2
    record = await IdempotencyRecord.get(user_id=payer.id, key="k1")
    assert record.transaction_id == result.transaction.id and record.result == {"transactionId": result.transaction.id}
    wallet = await wallet_of(payer.id)
    assert await OutboxEvent.filter(topic=f"balance:{wallet.id}").count() == 1
    assert await RiskDecision.filter(user_id=payer.id, outcome="ALLOW", rule="DEFAULT").count() == 1
    assert await merchant_balance(merchant) == 30_00
    assert (await reconcile()).clean


async def test_unbalanced_legs_are_refused_before_anything_is_written():
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    movement = await payment_movement(payer, merchant, 30_00, "k1")
    wallet = movement.account
    broken = Movement(
        type="PAYMENT", account=wallet, amount=30_00, legs=(Leg(wallet, -30_00), Leg(movement.legs[1].account, 29_99))
    )
    with pytest.raises(journal.UnbalancedJournal):
        await kernel.move(broken)
    assert await Transaction.filter(type="PAYMENT").count() == 0
    assert await wallet_balance(payer) == (100_00, 0)


async def test_a_replay_answers_the_first_result_and_moves_nothing_again():
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    first = await kernel.move(await payment_movement(payer, merchant, 30_00, "same"))
    again = await kernel.move(await payment_movement(payer, merchant, 30_00, "same"))
    assert again.replayed and again.transaction.id == first.transaction.id
    looked_up = await kernel.earlier(Key(payer.id, "same", "pay", "d"))
    assert looked_up is not None and looked_up.transaction.id == first.transaction.id
    assert await wallet_balance(payer) == (70_00, 0)
    assert await Transaction.filter(type="PAYMENT").count() == 1


async def test_a_key_reused_for_another_request_is_refused():
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    await kernel.move(await payment_movement(payer, merchant, 30_00, "same", digest="first"))
    with pytest.raises(DomainError) as reused:
        await kernel.move(await payment_movement(payer, merchant, 40_00, "same", digest="second"))
    assert reused.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    with pytest.raises(DomainError) as looked_up:
        await kernel.earlier(Key(payer.id, "same", "pay", "second"))
    assert looked_up.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    assert await wallet_balance(payer) == (70_00, 0)


async def test_a_limit_refusal_rolls_everything_back_and_is_recorded():
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 60_000_00)
    for i in range(10):  # the whole 50,000.00 daily limit
        await kernel.move(await payment_movement(payer, merchant, 5_000_00, f"d{i}"))
    written: list[int] = []

    async def after(uow: UnitOfWork, tx: Transaction, _balances: object) -> None:
        written.append(tx.id)

    with pytest.raises(DomainError) as refused:
        await kernel.move(await payment_movement(payer, merchant, 1, "over", after=after))
    assert refused.value.code is ErrorCode.LIMIT_EXCEEDED and refused.value.field == ("input", "amount")
    assert written == []  # refused under the lock, before the transaction row
    assert await Transaction.filter(type="PAYMENT").count() == 10
    assert not await IdempotencyRecord.filter(user_id=payer.id, key="over").exists()
    assert await wallet_balance(payer) == (10_000_00, 0)
    last = await RiskDecision.filter(user_id=payer.id).order_by("-id").first()
    assert last is not None and (last.outcome, last.rule, last.amount) == ("REJECT", "DAILY_LIMIT", 1)


async def test_a_refusal_by_the_services_own_write_rolls_back_the_money_too():
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)

    async def after(uow: UnitOfWork, tx: Transaction, _balances: object) -> None:
        raise DomainError(ErrorCode.QR_CODE_USED, "该付款码已被使用", ("input", "payload"))

    with pytest.raises(DomainError) as refused:
        await kernel.move(await payment_movement(payer, merchant, 30_00, "k", after=after))
    assert refused.value.code is ErrorCode.QR_CODE_USED
    assert await wallet_balance(payer) == (100_00, 0) and await merchant_balance(merchant) == 0
    assert await Transaction.filter(type="PAYMENT").count() == 0 and await Journal.all().count() == 1  # the funding
    assert not await IdempotencyRecord.filter(user_id=payer.id).exists()


async def test_a_transfer_that_would_lift_the_recipient_above_the_maximum_balance_is_refused(gql, monkeypatch):
    change_settings(monkeypatch, max_wallet_balance_fen=1_000_00)
    alice, bob = await make_user(), await make_user()
    await fund(alice, 500_00)
    await fund(bob, 900_00)
    variables = {"input": {"recipient": bob.phone, "amount": "100.01", "paymentPassword": DEFAULT_PIN,
                           "idempotencyKey": "t1"}}
    refused = await gql.mutate(TRANSFER, variables, token=token_for(alice))
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("AMOUNT_TOO_LARGE", ["input", "amount"])]
    assert await wallet_balance(alice) == (500_00, 0) and await wallet_balance(bob) == (900_00, 0)
    assert await Transaction.filter(type="TRANSFER").count() == 0
    variables["input"].update(amount="100.00", idempotencyKey="t2")
    exact = await gql.mutate(TRANSFER, variables, token=token_for(alice))
    assert exact["errors"] == [] and await wallet_balance(bob) == (1_000_00, 0)
    assert (await reconcile()).clean


async def test_a_top_up_above_the_maximum_balance_is_refused_before_the_bank_is_charged(gql, monkeypatch):
    change_settings(monkeypatch, max_wallet_balance_fen=1_000_00)
    user = await make_user()
    await fund(user, 900_00)
    card = await bind_card(gql, user)
    refused = await top_up(gql, user, "200", card=card, key="big")
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("AMOUNT_TOO_LARGE", ["input", "amount"])]
    assert await Transaction.filter(type="TOP_UP").count() == 1  # only the funding: no attempt, no charge
    assert await wallet_balance(user) == (900_00, 0)
    fits = await top_up(gql, user, "100", card=card, key="fits")
    assert fits["errors"] == [] and await wallet_balance(user) == (1_000_00, 0)
    assert (await reconcile()).clean
