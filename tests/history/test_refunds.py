"""Refund requests and their review (seed 5.2): eligibility, the remaining-amount rule,
approval returning the money the original way, rejection, double review, visibility."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from app import clock, runtime
from app.business_days import business_days_later
from app.events.outbox import unit_of_work
from app.history.window import months_before
from app.ledger import journal
from app.ledger.accounts import balance_of, system_account
from models import Account, AuditRecord, OutboxEvent, Refund, SandboxMessage, Transaction
from models.ledger import Journal
from models.risk import RiskAlert
from tests.factories import (
    fund,
    make_merchant,
    make_staff,
    make_user,
    token_for,
    transfer,
    wallet_balance,
    wallet_payment,
)
from tests.harness.graphql import user_error_codes
from tests.history.docs import (
    MY_REFUNDS,
    REFUND_NODE,
    REQUEST_REFUND,
    REVIEW_QUEUE,
    REVIEW_REFUND,
    ask_refund,
    assert_ledger_clean,
    decide,
    statement,
)


async def _shop_balance(merchant) -> int:  # noqa: ANN001
    return (await balance_of(await Account.get(id=merchant.account_id))).available


async def _paid(fen: int = 10_000):
    alice = await make_user(real_name="张三")
    shop, _ = await make_merchant()
    await fund(alice, 100_000)
    payment = await wallet_payment(alice, shop, fen)
    return alice, shop, payment


async def test_request_gets_a_number_and_a_three_business_day_deadline(gql):
    alice, _, payment = await _paid()
    payload = await ask_refund(gql, token_for(alice), payment.transaction_no, amount="30.00", description=" 多扣了 ")
    assert payload["errors"] == []
    refund = payload["refund"]
    assert refund["refundNo"].startswith("R") and len(refund["refundNo"]) > 9
    assert refund["status"] == "PENDING_REVIEW" and refund["amount"] == "30.00"
    assert refund["reason"] == "WRONG_AMOUNT" and refund["description"] == "多扣了"
    row = await Refund.get(refund_no=refund["refundNo"])
    assert row.review_deadline == business_days_later(row.created_at, 3)
    # Pending refunds already count against what remains.
    assert refund["transaction"]["refundableAmount"] == "70.00"
    assert refund["transaction"]["refunds"] == [{"refundNo": refund["refundNo"], "status": "PENDING_REVIEW"}]
    assert await AuditRecord.filter(action="refund.request", actor_id=alice.id).count() == 1
    assert await SandboxMessage.filter(recipient=alice.phone, purpose="REFUND").count() == 1


async def test_deadline_skips_chinese_holidays(gql):
    # Requested on 2025-09-30 10:00 China time: National Day holidays run 10-01..10-08,
    # so three business days later is 2025-10-11 (a make-up working Saturday).
    clock.set_now(clock.now().replace(year=2025, month=9, day=30, hour=2, minute=0, second=0, microsecond=0))
    alice, _, payment = await _paid()
    payload = await ask_refund(gql, token_for(alice), payment.transaction_no)
    assert payload["refund"]["reviewDeadline"].startswith("2025-10-11T02:00:00")


async def test_partial_then_full_refund_of_a_balance_payment(gql):
    alice, shop, payment = await _paid(10_000)
    support = await make_staff("SUPPORT")
    token, staff = token_for(alice), token_for(support)
    wallet = await Account.get(user_id=alice.id, kind="WALLET")
    assert await wallet_balance(alice) == (90_000, 0)

    first = (await ask_refund(gql, token, payment.transaction_no, amount="30.00"))["refund"]
    approved = await decide(gql, staff, first["id"], True, "金额确有错误")
    assert approved["errors"] == []
    done = approved["refund"]
    assert done["status"] == "COMPLETED" and done["completedAt"] and done["reviewNote"] == "金额确有错误"
    assert done["refundTransaction"]["type"] == "REFUND" and done["refundTransaction"]["status"] == "SUCCEEDED"
    assert done["refundTransaction"]["direction"] == "IN" and done["refundTransaction"]["amount"] == "30.00"
    assert done["refundTransaction"]["channel"] == "WALLET_BALANCE"
    assert done["transaction"]["refundableAmount"] == "70.00"
    assert done["transaction"]["refunds"] == [{"refundNo": first["refundNo"], "status": "COMPLETED"}]
    assert await wallet_balance(alice) == (93_000, 0)
    assert await _shop_balance(shop) == 7_000

    # The amount defaults to everything that remains.
    rest = (await ask_refund(gql, token, payment.transaction_no))["refund"]
    assert rest["amount"] == "70.00"
    await decide(gql, staff, rest["id"], True)
    assert await wallet_balance(alice) == (100_000, 0)
    assert await _shop_balance(shop) == 0
    again = await ask_refund(gql, token, payment.transaction_no)
    assert user_error_codes(again) == ["REFUND_EXCEEDS_REMAINING"]

    # The statement shows both REFUND rows, incoming, linked to the shop.
    rows = [e["node"] for e in (await statement(gql, token, filter={"types": ["REFUND"]}))["edges"]]
    assert [(r["amount"], r["direction"], r["counterparty"]["name"]) for r in rows] == [
        ("70.00", "IN", shop.name), ("30.00", "IN", shop.name),
    ]
    original = [e["node"] for e in (await statement(gql, token, filter={"transactionNo": payment.transaction_no}))["edges"]]
    assert original[0]["refundableAmount"] == "0.00"

    # balanceChanged fired for the wallet with each refund, and one journal per refund.
    events = await OutboxEvent.filter(topic=f"balance:{wallet.id}").order_by("id")
    assert [e.payload["delta"] for e in events][-2:] == [3_000, 7_000]
    assert all(e.published_at is not None for e in events)  # handed to the broker after commit
    refund_txs = await Transaction.filter(type="REFUND", related_transaction_id=payment.id)
    assert len(refund_txs) == 2
    for tx in refund_txs:
        assert await Journal.filter(transaction_id=tx.id, kind="POST").count() == 1
    assert await SandboxMessage.filter(recipient=alice.phone, purpose="REFUND", text__contains="审核通过").count() == 2
    await assert_ledger_clean()


async def test_remaining_amount_counts_pending_refunds_and_rejection_frees_it(gql):
    alice, _, payment = await _paid(10_000)
    token, staff = token_for(alice), token_for(await make_staff("ADMIN"))
    big = (await ask_refund(gql, token, payment.transaction_no, amount="60.00"))["refund"]
    too_much = await ask_refund(gql, token, payment.transaction_no, amount="40.01")
    assert user_error_codes(too_much) == ["REFUND_EXCEEDS_REMAINING"]
    assert too_much["errors"][0]["field"] == ["input", "amount"]
    exact = await ask_refund(gql, token, payment.transaction_no, amount="40.00")
    assert exact["errors"] == []
    assert user_error_codes(await ask_refund(gql, token, payment.transaction_no, amount="0.01")) == [
        "REFUND_EXCEEDS_REMAINING"
    ]

    rejected = await decide(gql, staff, big["id"], False, "商户已确认金额无误")
    assert rejected["errors"] == []
    assert rejected["refund"]["status"] == "REJECTED" and rejected["refund"]["reviewNote"] == "商户已确认金额无误"
    assert rejected["refund"]["transaction"]["refundableAmount"] == "60.00"
    assert await wallet_balance(alice) == (90_000, 0)
    message = await SandboxMessage.filter(recipient=alice.phone, text__contains="未通过审核").first()
    assert message is not None and "商户已确认金额无误" in message.text
    again = await ask_refund(gql, token, payment.transaction_no, amount="60.00")
    assert again["errors"] == []
    await assert_ledger_clean()


async def test_what_may_not_be_refunded(gql):
    alice, shop, payment = await _paid()
    bob = await make_user(real_name="王五")
    await fund(bob, 10_000)
    token = token_for(alice)
    top_up = await Transaction.get(account__user_id=alice.id, type="TOP_UP")
    incoming = await transfer(bob, alice, 1_000)
    failed = await wallet_payment(alice, shop, 500, status="FAILED")
    old = await wallet_payment(alice, shop, 500, created_at=months_before(clock.now(), 3) - timedelta(days=1))
    for tx in (top_up, incoming, failed, old):
        payload = await ask_refund(gql, token, tx.transaction_no)
        assert user_error_codes(payload) == ["NOT_REFUNDABLE"], tx.type
        assert payload["refund"] is None
    # A stranger's transaction is indistinguishable from an unknown number.
    stranger = await make_user()
    assert user_error_codes(await ask_refund(gql, token_for(stranger), payment.transaction_no)) == ["NOT_FOUND"]
    assert user_error_codes(await ask_refund(gql, token, "T000")) == ["NOT_FOUND"]
    assert user_error_codes(await ask_refund(gql, token, payment.transaction_no, amount="0.00")) == ["INVALID_AMOUNT"]
    long_text = await ask_refund(gql, token, payment.transaction_no, description="很" * 501)
    assert user_error_codes(long_text) == ["VALIDATION_FAILED"]
    assert await Refund.all().count() == 0
    assert (await Transaction.get(id=payment.id)).refunded_amount == 0
    anonymous = await gql(REQUEST_REFUND, {"input": {"transactionNo": payment.transaction_no, "reason": "WRONG_AMOUNT"}})
    assert anonymous.error_codes() == ["UNAUTHENTICATED"]


async def test_review_is_for_support_and_admin_only_and_happens_once(gql):
    alice, shop, payment = await _paid(10_000)
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no, amount="20.00"))["refund"]
    variables = {"input": {"refundId": refund["id"], "approve": True}}
    for outsider in (alice, await make_staff("RISK_OFFICER")):
        result = await gql(REVIEW_REFUND, variables, token=token_for(outsider))
        assert result.error_codes() == ["FORBIDDEN"]
    assert (await gql(REVIEW_REFUND, variables)).error_codes() == ["UNAUTHENTICATED"]

    staff = token_for(await make_staff("SUPPORT"))
    assert (await decide(gql, staff, refund["id"], True))["errors"] == []
    for approve in (True, False):
        second = await decide(gql, staff, refund["id"], approve)
        assert user_error_codes(second) == ["INVALID_STATE"]
    assert await wallet_balance(alice) == (92_000, 0)
    assert await Transaction.filter(type="REFUND").count() == 1
    refreshed = await Transaction.get(id=payment.id)
    assert refreshed.refunded_amount == 2_000
    unknown = await decide(gql, staff, "UmVmdW5kOjk5OTk5", True)
    assert user_error_codes(unknown) == ["NOT_FOUND"]
    await assert_ledger_clean()


async def test_transfer_refund_needs_the_recipients_available_balance(gql):
    alice = await make_user(real_name="张三")
    bob = await make_user(real_name="王五")
    await fund(alice, 10_000)
    sent = await transfer(alice, bob, 5_000)
    # Bob spends most of it before the review.
    shop, _ = await make_merchant()
    await wallet_payment(bob, shop, 4_000)
    staff = token_for(await make_staff("SUPPORT"))
    refund = (await ask_refund(gql, token_for(alice), sent.transaction_no, reason="WRONG_COUNTERPARTY"))["refund"]
    assert refund["amount"] == "50.00"

    short = await decide(gql, staff, refund["id"], True)
    assert user_error_codes(short) == ["INSUFFICIENT_FUNDS"]
    still = await Refund.get(refund_no=refund["refundNo"])
    assert still.status == "PENDING_REVIEW" and still.reviewer_id is None
    assert await Transaction.filter(type="REFUND").count() == 0
    queue = (await gql.ok(REVIEW_QUEUE, token=staff))["refundReviewQueue"]
    assert [e["node"]["refundNo"] for e in queue["edges"]] == [refund["refundNo"]]

    await fund(bob, 4_000)
    done = await decide(gql, staff, refund["id"], True)
    assert done["errors"] == [] and done["refund"]["status"] == "COMPLETED"
    assert await wallet_balance(alice) == (10_000, 0)
    assert await wallet_balance(bob) == (0, 0)
    bob_wallet = await Account.get(user_id=bob.id, kind="WALLET")
    bob_events = await OutboxEvent.filter(topic=f"balance:{bob_wallet.id}").order_by("-id").first()
    assert bob_events.payload["delta"] == -5_000
    # Bob sees the refund as money going out to Alice.
    bob_rows = [e["node"] for e in (await statement(gql, token_for(bob), filter={"types": ["REFUND"]}))["edges"]]
    assert [(r["direction"], r["amount"], r["counterparty"]["name"]) for r in bob_rows] == [("OUT", "50.00", "张*")]
    told = await SandboxMessage.filter(recipient=bob.phone, purpose="REFUND").first()
    assert told is not None and sent.transaction_no in told.text
    await assert_ledger_clean()


async def test_refund_may_overdraw_the_merchant_and_raises_an_alert(gql):
    alice, shop, payment = await _paid(10_000)
    # The shop has already been paid out to its bank.
    account = await Account.get(id=shop.account_id)
    bank = await system_account("BANK_CLEARING")
    async with unit_of_work() as uow:
        await journal.post(uow.conn, [journal.Leg(account, -9_000), journal.Leg(bank, 9_000)], memo="merchant payout")
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no, amount="25.00"))["refund"]
    done = await decide(gql, token_for(await make_staff("ADMIN")), refund["id"], True)
    assert done["refund"]["status"] == "COMPLETED"
    assert await _shop_balance(shop) == -1_500
    alerts = await RiskAlert.filter(type="MERCHANT_NEGATIVE_BALANCE")
    assert [(a.scope, a.merchant_id, a.level) for a in alerts] == [(f"MERCHANT:{shop.id}", shop.id, "HIGH")]
    # No alert while the balance stays positive.
    other, other_shop, other_payment = await _paid(10_000)
    r2 = (await ask_refund(gql, token_for(other), other_payment.transaction_no, amount="10.00"))["refund"]
    await decide(gql, token_for(await make_staff("ADMIN")), r2["id"], True)
    assert await RiskAlert.filter(type="MERCHANT_NEGATIVE_BALANCE").count() == 1
    await assert_ledger_clean()


async def test_refunds_list_and_node_are_the_owners(gql):
    alice, _, payment = await _paid(10_000)
    token = token_for(alice)
    made = [(await ask_refund(gql, token, payment.transaction_no, amount="10.00"))["refund"] for _ in range(3)]
    listing = (await gql.ok(MY_REFUNDS, {"first": 2}, token=token))["refunds"]
    assert listing["totalCount"] == 3 and listing["pageInfo"]["hasNextPage"]
    rest = (await gql.ok(MY_REFUNDS, {"first": 2, "after": listing["pageInfo"]["endCursor"]}, token=token))["refunds"]
    numbers = [e["node"]["refundNo"] for e in listing["edges"] + rest["edges"]]
    assert numbers == [r["refundNo"] for r in reversed(made)]

    stranger = await make_user()
    assert (await gql.ok(MY_REFUNDS, token=token_for(stranger)))["refunds"]["totalCount"] == 0
    node_id = made[0]["id"]
    own = (await gql.ok(REFUND_NODE, {"id": node_id}, token=token))["node"]
    assert own == {"__typename": "Refund", "refundNo": made[0]["refundNo"], "amount": "10.00", "status": "PENDING_REVIEW"}
    assert (await gql.ok(REFUND_NODE, {"id": node_id}, token=token_for(stranger)))["node"] is None
    assert (await gql.ok(REFUND_NODE, {"id": node_id}))["node"] is None
    staff_view = (await gql.ok(REFUND_NODE, {"id": node_id}, token=token_for(await make_staff("SUPPORT"))))["node"]
    assert staff_view["refundNo"] == made[0]["refundNo"]
    # A stranger cannot reach the refunds through the transaction's own field either.
    assert (await gql(MY_REFUNDS)).error_codes() == ["UNAUTHENTICATED"]


async def test_review_queue_is_pending_only_earliest_deadline_first(gql, monkeypatch):
    rt = runtime.get()  # five open requests on one payment: above the default cap of three
    monkeypatch.setattr(rt, "settings", dataclasses.replace(rt.settings, max_open_refund_requests=5))
    alice, _, payment = await _paid(100_000 - 10_000)
    token = token_for(alice)
    now = clock.now()
    # Asked in this order at these times: the queue orders by deadline, not by request.
    clock.set_now(now - timedelta(days=1))
    later = (await ask_refund(gql, token, payment.transaction_no, amount="1.00"))["refund"]
    clock.set_now(now - timedelta(days=20))
    earliest = (await ask_refund(gql, token, payment.transaction_no, amount="1.00"))["refund"]
    clock.set_now(now - timedelta(days=5))
    middle_a = (await ask_refund(gql, token, payment.transaction_no, amount="1.00"))["refund"]
    middle_b = (await ask_refund(gql, token, payment.transaction_no, amount="1.00"))["refund"]  # same deadline
    settled = (await ask_refund(gql, token, payment.transaction_no, amount="1.00"))["refund"]
    clock.set_now(None)
    staff = token_for(await make_staff("SUPPORT"))
    await decide(gql, staff, settled["id"], False)

    seen, after = [], None
    while True:
        page = (await gql.ok(REVIEW_QUEUE, {"first": 1, "after": after}, token=staff))["refundReviewQueue"]
        assert page["totalCount"] == 4
        seen += [e["node"]["refundNo"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [r["refundNo"] for r in (earliest, middle_a, middle_b, later)]
    assert (await gql(REVIEW_QUEUE, token=token)).error_codes() == ["FORBIDDEN"]
    assert (await gql(REVIEW_QUEUE, {"first": 101}, token=staff)).error_codes() == ["VALIDATION_FAILED"]
