"""Concurrent payments from one wallet never overdraw it (PostgreSQL row locks; on SQLite
transactions are serialized and the same must hold)."""

from __future__ import annotations

import asyncio

from app.ledger.reconcile import reconcile
from models import Journal, Transaction
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import PAY, merchant_balance


async def test_30_concurrent_payments_against_a_wallet_that_affords_10(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 10 * 7_00)
    token = token_for(payer)

    async def pay(i: int) -> list[str]:
        variables = {"input": {"merchantNo": merchant.merchant_no, "amount": "7.00", "channel": "WALLET_BALANCE",
                               "paymentPassword": DEFAULT_PIN, "idempotencyKey": f"c{i}"}}
        return user_error_codes(await gql.mutate(PAY, variables, token=token))

    outcomes = await asyncio.gather(*(pay(i) for i in range(30)))
    assert sum(1 for o in outcomes if o == []) == 10
    assert sum(1 for o in outcomes if o == ["INSUFFICIENT_FUNDS"]) == 20
    assert await wallet_balance(payer) == (0, 0)
    assert await merchant_balance(merchant) == 70_00
    assert await Transaction.filter(type="PAYMENT", status="SUCCEEDED").count() == 10
    assert await Transaction.filter(type="PAYMENT").count() == 10  # refused attempts leave no rows
    assert await Journal.filter(kind="POST", transaction__type="PAYMENT").count() == 10
    report = await reconcile()
    assert report.clean, report.breaks


async def _eight_duplicates_of_a_5_yuan_payment(gql, funds: int) -> None:  # noqa: ANN001
    """Eight concurrent requests with one key: all answer the one payment, which moved 5.00 once."""
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, funds)
    token = token_for(payer)
    variables = {"input": {"merchantNo": merchant.merchant_no, "amount": "5.00", "channel": "WALLET_BALANCE",
                           "paymentPassword": DEFAULT_PIN, "idempotencyKey": "one-key"}}
    results = await asyncio.gather(*(gql.mutate(PAY, variables, token=token) for _ in range(8)))
    assert [r["errors"] for r in results] == [[]] * 8
    assert len({r["transaction"]["transactionNo"] for r in results}) == 1
    assert await wallet_balance(payer) == (funds - 5_00, 0)
    assert await merchant_balance(merchant) == 5_00
    assert (await reconcile()).clean


async def test_concurrent_duplicates_of_one_key_pay_once(gql):
    await _eight_duplicates_of_a_5_yuan_payment(gql, funds=100_00)


async def test_concurrent_duplicates_all_answer_the_one_success_when_only_one_is_affordable(gql):
    # The key is stored at the end of the payment's transaction: a duplicate that queued on
    # the wallet row finds the money gone, and must still answer with the first result.
    await _eight_duplicates_of_a_5_yuan_payment(gql, funds=5_00)
