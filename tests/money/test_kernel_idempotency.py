"""Idempotency keys in the money kernel (app/ledger/kernel.py, app/ledger/idempotency.py):
concurrent first uses of one key, a key's scope (one user, one operation), refusals that
leave the key free, failures remembered for replays, and what a request's digest is made of.
test_kernel.py covers the plain replay and the plain reuse; on PostgreSQL the concurrent
cases here run truly at once (one pooled connection per task), on SQLite they serialize."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable

import pytest

from app.errors import DomainError, ErrorCode
from app.ledger import idempotency, kernel
from app.ledger.kernel import Key, MoneyResult, Movement
from app.ledger.reconcile import reconcile
from models import IdempotencyRecord, Journal, Transaction
from tests.factories import fund, make_merchant, make_user, wallet_balance
from tests.money.support import payment_movement
from tests.payments.support import merchant_balance


async def _outcome(attempt: Awaitable[MoneyResult]) -> MoneyResult | ErrorCode:
    """The result of a kernel call, or the code of the DomainError it raised."""
    try:
        return await attempt
    except DomainError as error:
        return error.code


async def test_concurrent_first_uses_of_one_key_move_money_once_and_all_answer_that_movement():
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    movements = [await payment_movement(payer, merchant, 7_00, "one-key") for _ in range(8)]

    results = await asyncio.gather(*(kernel.move(m) for m in movements))

    assert len({r.transaction.id for r in results}) == 1
    assert sum(1 for r in results if not r.replayed) == 1  # the others rolled back and replayed it
    assert await wallet_balance(payer) == (93_00, 0) and await merchant_balance(merchant) == 7_00
    assert await Transaction.filter(type="PAYMENT").count() == 1
    assert await Journal.filter(transaction__type="PAYMENT").count() == 1
    assert await IdempotencyRecord.filter(user_id=payer.id, key="one-key").count() == 1
    assert (await reconcile()).clean


async def test_concurrent_first_uses_of_one_key_for_different_requests_let_one_through():
    """Eight different amounts under one key at once: the first to commit moves its money, every
    other request is IDEMPOTENCY_KEY_REUSED (never a second movement, never a replay of the wrong amount)."""
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    movements = [await payment_movement(payer, merchant, (i + 1) * 1_00, "one-key", digest=f"amount-{i}")
                 for i in range(8)]

    outcomes = await asyncio.gather(*(_outcome(kernel.move(m)) for m in movements))

    (winner,) = [o for o in outcomes if isinstance(o, MoneyResult)]
    assert not winner.replayed
    assert sorted(o for o in outcomes if not isinstance(o, MoneyResult)) == [ErrorCode.IDEMPOTENCY_KEY_REUSED] * 7
    paid = winner.transaction.amount
    assert await wallet_balance(payer) == (100_00 - paid, 0) and await merchant_balance(merchant) == paid
    assert await Transaction.filter(type="PAYMENT").count() == 1
    assert (await reconcile()).clean


async def test_a_key_belongs_to_one_user_and_one_operation():
    merchant, _ = await make_merchant()
    alice, bob = await make_user(), await make_user()
    await fund(alice, 50_00)
    await fund(bob, 50_00)
    first = await kernel.move(await payment_movement(alice, merchant, 10_00, "shared"))
    # Another user's same key is a key of their own: it moves their money.
    other = await kernel.move(await payment_movement(bob, merchant, 10_00, "shared"))
    assert not other.replayed and other.transaction.id != first.transaction.id
    # The same user, key and request digest for another operation is another request: refused.
    with pytest.raises(DomainError) as reused:
        await kernel.move(await payment_movement(alice, merchant, 10_00, "shared", operation="transfer"))
    assert (reused.value.code, reused.value.field) == (ErrorCode.IDEMPOTENCY_KEY_REUSED, ("input", "idempotencyKey"))
    assert (await wallet_balance(alice), await wallet_balance(bob)) == ((40_00, 0), (40_00, 0))
    assert await merchant_balance(merchant) == 20_00


async def test_a_refused_movement_leaves_its_key_free_for_a_retry():
    """Nothing moved the first time, so the same key with the same request simply runs again."""
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 5_00)
    with pytest.raises(DomainError) as refused:
        await kernel.move(await payment_movement(payer, merchant, 8_00, "retry-me"))
    assert refused.value.code is ErrorCode.INSUFFICIENT_FUNDS
    assert await kernel.earlier(Key(payer.id, "retry-me", "pay", "d")) is None
    await fund(payer, 5_00)
    paid = await kernel.move(await payment_movement(payer, merchant, 8_00, "retry-me"))
    assert not paid.replayed and paid.transaction.status == "SUCCEEDED"
    assert await wallet_balance(payer) == (2_00, 0)


async def test_a_failure_stored_under_a_key_is_what_every_replay_answers():
    """A recorded movement whose channel refused it (``kernel.fail``): FAILED once, and the same
    error for the key ever after, without a second attempt or any money moving."""
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 50_00)
    movement = await payment_movement(payer, merchant, 10_00, "declined")
    assert movement.key is not None
    # Recorded, no money moved yet: the bank is asked with no transaction open.
    pending = await kernel.move(
        Movement(type="PAYMENT", account=movement.account, amount=10_00, key=movement.key,
                 status="PROCESSING", channel="BANK_CARD")
    )
    declined = DomainError(ErrorCode.CHANNEL_DECLINED, "发卡行拒绝了本次扣款", ("input", "bankCardId"))
    with pytest.raises(DomainError) as first:
        await kernel.fail(movement.key, pending.transaction.id, ("PROCESSING",), declined)
    assert first.value is declined
    assert (await Transaction.get(id=pending.transaction.id)).status == "FAILED"

    for replay in (kernel.earlier(movement.key), kernel.move(movement)):
        with pytest.raises(DomainError) as again:
            await replay
        assert (again.value.code, again.value.message, again.value.field) == (
            declined.code, declined.message, declined.field,
        )
    # Failing it again from a status it is no longer in changes no status, only the stored error.
    with pytest.raises(DomainError):
        await kernel.fail(movement.key, pending.transaction.id, ("PROCESSING",), declined)
    assert await Transaction.filter(type="PAYMENT").count() == 1
    assert await wallet_balance(payer) == (50_00, 0) and await merchant_balance(merchant) == 0
    assert (await reconcile()).clean


def test_a_request_digest_ignores_secrets_the_key_itself_and_field_order():
    request = {"merchantNo": "M1", "amount": 1_00, "paymentPassword": "135790", "idempotency_key": "k1"}
    digest = idempotency.request_hash("pay", request)
    same = {"idempotency_key": "k2", "verificationCode": "654321", "amount": 1_00, "merchantNo": "M1",
            "paymentPassword": "000000"}
    assert idempotency.request_hash("pay", same) == digest
    assert "135790" not in digest and len(digest) == 64
    assert idempotency.request_hash("pay", {**request, "amount": 1_01}) != digest
    assert idempotency.request_hash("transfer", request) != digest


@pytest.mark.parametrize("key", ["", "k" * 65, "line\nbreak"])
async def test_a_malformed_key_is_refused_before_anything_moves(key):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 10_00)
    with pytest.raises(DomainError) as refused:
        await kernel.earlier(Key(payer.id, key, "pay", "d"))
    assert (refused.value.code, refused.value.field) == (ErrorCode.VALIDATION_FAILED, ("input", "idempotencyKey"))
    movement = await payment_movement(payer, merchant, 1_00, "placeholder")
    with pytest.raises(DomainError) as moved:
        await kernel.move(dataclasses.replace(movement, key=Key(payer.id, key, "pay", "d")))
    assert moved.value.code is ErrorCode.VALIDATION_FAILED
    assert await wallet_balance(payer) == (10_00, 0) and await Transaction.filter(type="PAYMENT").count() == 0
    longest = await kernel.move(dataclasses.replace(movement, key=Key(payer.id, "k" * 64, "pay", "d")))
    assert not longest.replayed and await wallet_balance(payer) == (9_00, 0)
