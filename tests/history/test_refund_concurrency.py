"""Concurrent refund requests never reserve more than the transaction was; concurrent
reviews of one refund move the money once (meaningful on PostgreSQL; serialized on SQLite)."""

from __future__ import annotations

import asyncio

from models import Refund, Transaction
from tests.factories import fund, make_merchant, make_staff, make_user, token_for, wallet_balance, wallet_payment
from tests.harness.graphql import user_error_codes
from tests.history.docs import ask_refund, assert_ledger_clean, decide


async def test_concurrent_requests_cannot_exceed_the_remaining_amount(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 20_000)
    payment = await wallet_payment(alice, shop, 10_000)
    token = token_for(alice)
    results = await asyncio.gather(
        *[ask_refund(gql, token, payment.transaction_no, amount="30.00") for _ in range(6)]
    )
    accepted = [r for r in results if not r["errors"]]
    refused = [user_error_codes(r) for r in results if r["errors"]]
    assert len(accepted) == 3
    assert refused == [["REFUND_EXCEEDS_REMAINING"]] * 3
    assert (await Transaction.get(id=payment.id)).refunded_amount == 9_000
    assert await Refund.all().count() == 3


async def test_concurrent_reviews_of_one_refund_move_the_money_once(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 20_000)
    payment = await wallet_payment(alice, shop, 10_000)
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no))["refund"]
    reviewers = [token_for(await make_staff("SUPPORT")) for _ in range(4)]
    results = await asyncio.gather(*[decide(gql, t, refund["id"], i % 2 == 0) for i, t in enumerate(reviewers)])
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1
    assert sorted(user_error_codes(r)[0] for r in results if r["errors"]) == ["INVALID_STATE"] * 3
    status = winners[0]["refund"]["status"]
    final = await Refund.get(id=(await Refund.first()).id)
    assert final.status == status
    expected = (20_000, 0) if status == "COMPLETED" else (10_000, 0)
    assert await wallet_balance(alice) == expected
    assert await Transaction.filter(type="REFUND").count() == (1 if status == "COMPLETED" else 0)
    await assert_ledger_clean()
