"""Requests to pay (AA 收款) through the public API: even splits, fixed amounts, paying
(a transfer linked to the part, once), declining, expiry."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.jobs.registry import run_once
from app.ledger.reconcile import reconcile
from models import Transaction
from tests.factories import DEFAULT_PIN, fund, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.social.support import DECLINE, INBOX, PAY_PART, REQUEST


def _pay(item_id: str, key: str, pin: str = DEFAULT_PIN) -> dict:
    return {"input": {"itemId": item_id, "paymentPassword": pin, "idempotencyKey": key}}


async def test_an_even_split_gives_the_remainder_fen_to_the_first_payers(gql):
    requester, a, b, c = [await make_user() for _ in range(4)]
    made = await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": u.phone} for u in (a, b, c)],
                                                "total": "100.00", "note": "周五晚饭"}}, token=token_for(requester))
    assert made["errors"] == []
    request = made["payRequest"]
    assert (request["amount"], request["status"], request["note"]) == ("100.00", "OPEN", "周五晚饭")
    assert [i["amount"] for i in request["items"]] == ["33.34", "33.33", "33.33"]
    inbox = (await gql.ok(INBOX, token=token_for(b)))["payRequestsToMe"]
    assert [(i["amount"], i["request"]["requestNo"]) for i in inbox] == [("33.33", request["requestNo"])]


async def test_paying_a_part_is_a_linked_transfer_made_once(gql):
    requester, payer = await make_user(), await make_user()
    await fund(payer, 50_00)
    made = (await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone, "amount": "12.50"}]}},
                             token=token_for(requester)))["payRequest"]
    item_id = made["items"][0]["id"]
    paid = await gql.mutate(PAY_PART, _pay(item_id, "p1"), token=token_for(payer))
    assert paid["errors"] == []
    assert (paid["item"]["status"], paid["transaction"]["type"], paid["transaction"]["amount"]) == ("PAID", "TRANSFER", "12.50")
    replay = await gql.mutate(PAY_PART, _pay(item_id, "p1"), token=token_for(payer))
    assert replay["transaction"]["transactionNo"] == paid["transaction"]["transactionNo"]
    twice = await gql.mutate(PAY_PART, _pay(item_id, "p2"), token=token_for(payer))
    assert (user_error_codes(twice), twice["errors"][0]["field"]) == (["INVALID_STATE"], ["input", "itemId"])
    assert await wallet_balance(payer) == (37_50, 0)
    assert await wallet_balance(requester) == (12_50, 0)
    tx = await Transaction.get(type="TRANSFER")
    assert tx.reference_id is not None
    assert (await gql.ok(INBOX, token=token_for(payer)))["payRequestsToMe"] == []
    assert (await reconcile()).clean


async def test_only_the_payer_pays_with_the_right_password_and_declined_parts_stay_unpaid(gql):
    requester, payer, other = await make_user(), await make_user(), await make_user()
    await fund(payer, 50_00)
    await fund(other, 50_00)
    made = (await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone, "amount": "5.00"}]}},
                             token=token_for(requester)))["payRequest"]
    item_id = made["items"][0]["id"]
    stranger = await gql.mutate(PAY_PART, _pay(item_id, "s1"), token=token_for(other))
    assert user_error_codes(stranger) == ["NOT_FOUND"]
    wrong = await gql.mutate(PAY_PART, _pay(item_id, "w1", pin="864209"), token=token_for(payer))
    assert user_error_codes(wrong) == ["INVALID_PAYMENT_PASSWORD"]
    declined = await gql.mutate(DECLINE, {"input": {"itemId": item_id}}, token=token_for(payer))
    assert declined["item"]["status"] == "DECLINED"
    late = await gql.mutate(PAY_PART, _pay(item_id, "l1"), token=token_for(payer))
    assert user_error_codes(late) == ["INVALID_STATE"]
    assert await wallet_balance(payer) == (50_00, 0)
    assert await Transaction.filter(type="TRANSFER").count() == 0


async def test_requests_are_checked(gql):
    requester, payer = await make_user(), await make_user()
    token = token_for(requester)
    both = await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone, "amount": "1.00"}],
                                                "total": "1.00"}}, token=token)
    assert user_error_codes(both) == ["VALIDATION_FAILED"]
    neither = await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone}]}}, token=token)
    assert (user_error_codes(neither), neither["errors"][0]["field"]) == (["VALIDATION_FAILED"], ["input", "total"])
    me = await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": requester.phone, "amount": "1.00"}]}}, token=token)
    assert user_error_codes(me) == ["VALIDATION_FAILED"]
    nobody = await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": "13999999999", "amount": "1.00"}]}}, token=token)
    assert user_error_codes(nobody) == ["NOT_FOUND"]
    tiny = await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone}, {"recipient": (await make_user()).phone}],
                                              "total": "0.01"}}, token=token)
    assert user_error_codes(tiny) == ["INVALID_AMOUNT"]
    empty = await gql.mutate(REQUEST, {"input": {"payers": [], "total": "1.00"}}, token=token)
    assert user_error_codes(empty) == ["VALIDATION_FAILED"]


async def test_requests_expire_and_cannot_be_paid_afterwards(gql):
    requester, payer = await make_user(), await make_user()
    await fund(payer, 10_00)
    made = (await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone, "amount": "5.00"}]}},
                             token=token_for(requester)))["payRequest"]
    later = clock.now() + timedelta(days=7, seconds=1)
    await run_once(later)
    clock.set_now(later)
    refused = await gql.mutate(PAY_PART, _pay(made["items"][0]["id"], "x1"), token=token_for(payer))
    assert user_error_codes(refused) == ["INVALID_STATE"]
    items = (await gql.ok("query { payRequestsToMe(status: EXPIRED) { status request { status } } }",
                          token=token_for(payer)))["payRequestsToMe"]
    assert items == [{"status": "EXPIRED", "request": {"status": "EXPIRED"}}]
    assert await wallet_balance(payer) == (10_00, 0)
