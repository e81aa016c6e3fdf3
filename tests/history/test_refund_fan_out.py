"""Issue 16: refund requests fan out without bound (one 20.00 payment took 2,000 requests of
0.01). At most ``max_open_refund_requests`` (default 3) await an answer per transaction,
however many arrive at once; a decided request frees its place."""

from __future__ import annotations

import asyncio

from models import Refund, Transaction
from tests.factories import fund, make_merchant, make_staff, make_user, token_for, wallet_payment
from tests.harness.graphql import user_error_codes
from tests.history.docs import ask_refund, assert_ledger_clean, decide


async def test_a_burst_of_small_requests_opens_at_most_three(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 20_00)
    payment = await wallet_payment(alice, shop, 20_00)
    token = token_for(alice)
    results = await asyncio.gather(
        *[ask_refund(gql, token, payment.transaction_no, amount="0.01") for _ in range(40)]
    )
    accepted = [r for r in results if not r["errors"]]
    refused = [r["errors"] for r in results if r["errors"]]
    assert len(accepted) == 3
    assert {(e[0]["code"], tuple(e[0]["field"])) for e in refused} == {
        ("TOO_MANY_REFUND_REQUESTS", ("input", "transactionNo"))
    }
    assert await Refund.filter(transaction_id=payment.id).count() == 3
    # A refused request reserved nothing.
    assert (await Transaction.get(id=payment.id)).refunded_amount == 3
    await assert_ledger_clean()


async def test_a_decided_request_frees_its_place(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 20_00)
    payment = await wallet_payment(alice, shop, 20_00)
    token = token_for(alice)
    first = [(await ask_refund(gql, token, payment.transaction_no, amount="1.00"))["refund"] for _ in range(3)]
    assert all(first)
    fourth = await ask_refund(gql, token, payment.transaction_no, amount="1.00")
    assert user_error_codes(fourth) == ["TOO_MANY_REFUND_REQUESTS"]
    assert "3" in fourth["errors"][0]["message"]
    staff = token_for(await make_staff("SUPPORT"))
    assert (await decide(gql, staff, first[0]["id"], False))["errors"] == []
    again = await ask_refund(gql, token, payment.transaction_no, amount="1.00")
    assert again["errors"] == [] and again["refund"]
