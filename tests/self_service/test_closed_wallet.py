"""No money arrives in a closed account's wallet (issue 21): the ledger refuses every credit of
it, whoever starts the movement, and nothing is recorded; reconcile stays clean.

Client-reachable paths are tested through the API (paying a pay request of a requester who
closed, a merchant refund to a payer who closed, an open red packet keeping the account open);
movements that began before the closure (a transfer whose recipient was looked up before, a
top-up completing) through the services that write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.errors import DomainError, ErrorCode
from app.events.outbox import unit_of_work
from app.funding import topup
from app.identity.codes import send_code
from app.jobs.registry import run_once
from app.ledger import kernel
from app.ledger.accounts import wallet_of
from app.ledger.journal import Leg
from app.ledger.numbers import new_number
from app.ledger.reconcile import reconcile
from app.payments.transfer import find_recipient
from models import Transaction, User
from models.merchant_platform import Order
from models.pay_requests import PayRequestItem
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, fund, latest_code, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.merchant_platform.core_support import REFUND, create_order, key_auth, merchant_with_key, pay_order
from tests.payments.support import merchant_balance
from tests.social.support import PAY_PART, REQUEST, SEND, send_input

NOW = datetime(2026, 11, 30, 2, 0, 5, tzinfo=UTC)
CLOSE = """
mutation($password: String!, $code: String) { closeAccount(input: {password: $password, verificationCode: $code}) {
  ok obligations errors { code message field } } }"""


async def _close(gql, user: User) -> dict:  # noqa: ANN001
    await send_code(user.phone, "CLOSE_ACCOUNT")
    code = await latest_code(user.phone, "CLOSE_ACCOUNT")
    return await gql.mutate(CLOSE, {"password": DEFAULT_PASSWORD, "code": code}, token=token_for(user))


async def test_paying_the_request_of_a_closed_account_is_refused_and_moves_nothing(gql):
    clock.set_now(NOW)
    requester, payer = await make_user(), await make_user()
    await fund(payer, 50_00)
    made = (await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": payer.phone, "amount": "12.50"}]}},
                             token=token_for(requester)))["payRequest"]
    assert (await _close(gql, requester))["ok"] is True
    paid = await gql.mutate(PAY_PART, {"input": {"itemId": made["items"][0]["id"], "paymentPassword": DEFAULT_PIN,
                                                 "idempotencyKey": "p1"}}, token=token_for(payer))
    assert (user_error_codes(paid), paid["errors"][0]["field"]) == (["ACCOUNT_CLOSED"], ["input", "itemId"])
    assert paid["transaction"] is None
    assert await wallet_balance(payer) == (50_00, 0)
    assert await wallet_balance(requester) == (0, 0)
    assert (await PayRequestItem.get(request__request_no=made["requestNo"])).status == "PENDING"
    assert not await Transaction.filter(type="TRANSFER").exists()
    assert (await reconcile()).clean


async def test_a_merchant_refund_to_a_payer_who_closed_is_refused_and_moves_nothing(gql):
    clock.set_now(NOW)
    merchant, _, secret = await merchant_with_key(gql)
    payer = await make_user()
    await fund(payer, 100_00)
    order = await create_order(gql, secret, "P-1", "100.00")
    assert (await pay_order(gql, payer, order))["errors"] == []
    held = await merchant_balance(merchant)
    assert (await _close(gql, payer))["ok"] is True
    refund = {"input": {"outTradeNo": "P-1", "outRefundNo": "R-1", "amount": "30.00"}}
    refused = await gql.mutate(REFUND, refund, headers=key_auth(secret))
    assert (user_error_codes(refused), refused["errors"][0]["field"]) == (["ACCOUNT_CLOSED"], ["input", "outTradeNo"])
    assert "注销" in refused["errors"][0]["message"]
    assert await wallet_balance(payer) == (0, 0)
    assert await merchant_balance(merchant) == held
    fresh = await Order.get(out_trade_no="P-1")
    assert (fresh.refunded_amount, fresh.refunded_fee) == (0, 0)
    assert (await Transaction.get(id=fresh.transaction_id)).refunded_amount == 0
    assert not await Transaction.filter(type="REFUND").exists()
    assert (await reconcile()).clean


async def test_an_open_red_packet_keeps_the_account_open_until_its_rest_came_back(gql):
    clock.set_now(NOW)
    sender = await make_user()
    await fund(sender, 10_00)
    sent = await gql.mutate(SEND, send_input("10.00", 2), token=token_for(sender))
    assert sent["errors"] == [] and await wallet_balance(sender) == (0, 0)
    refused = await _close(gql, sender)
    assert (refused["ok"], refused["obligations"]) == (False, ["OPEN_RED_PACKETS"])
    assert "红包" in refused["errors"][0]["message"]
    # Nobody claims it: the expiry job returns the 10.00, which is then a balance to withdraw.
    await run_once(NOW + timedelta(days=2))
    assert await wallet_balance(sender) == (10_00, 0)
    assert (await _close(gql, sender))["obligations"] == ["BALANCE"]
    assert (await User.get(id=sender.id)).status != "CLOSED"


async def test_a_transfer_looked_up_before_the_closure_cannot_credit_the_closed_wallet(gql):
    clock.set_now(NOW)
    alice, bob = await make_user(), await make_user()
    await fund(alice, 20_00)
    recipient, recipient_wallet = await find_recipient(bob.phone)  # the transfer starts...
    assert (await _close(gql, bob))["ok"] is True  # ...bob closes meanwhile...
    wallet = await wallet_of(alice.id)
    with pytest.raises(DomainError) as refused:  # ...and the kernel refuses the credit.
        await kernel.move(kernel.Movement(
            type="TRANSFER", account=wallet, amount=5_00, legs=(Leg(wallet, -5_00), Leg(recipient_wallet, 5_00)),
            counterparty_account_id=recipient_wallet.id,
        ))
    assert refused.value.code is ErrorCode.ACCOUNT_CLOSED
    assert await wallet_balance(alice) == (20_00, 0)
    assert await wallet_balance(recipient) == (0, 0)
    assert not await Transaction.filter(type="TRANSFER").exists()
    assert (await reconcile()).clean


async def test_a_top_up_completing_after_the_closure_is_not_credited_and_stays_open(gql):
    clock.set_now(NOW)
    user = await make_user()
    assert (await _close(gql, user))["ok"] is True
    wallet = await wallet_of(user.id)
    # A channel answer arriving for a top-up the closure did not see (set up directly).
    tx = await Transaction.create(transaction_no=new_number("T"), type="TOP_UP", status="PROCESSING",
                                  channel="BANK_CARD", amount=30_00, account_id=wallet.id)
    with pytest.raises(DomainError) as refused:
        async with unit_of_work() as uow:
            await topup.credit(uow, tx.id, ("PROCESSING",))
    assert refused.value.code is ErrorCode.ACCOUNT_CLOSED
    assert (await Transaction.get(id=tx.id)).status == "PROCESSING"  # held: the money stays in clearing
    assert await wallet_balance(user) == (0, 0)
