"""Payments over the money core's real pieces: its channel registry (sandbox channels), its
completion registry and its signed-webhook sandbox provider. Skipped where the money core's
channel modules are not present."""

from __future__ import annotations

import pytest

from app.ledger.reconcile import reconcile
from models import Transaction
from schema.node import to_global_id
from tests.factories import DEFAULT_PIN, make_card, make_merchant, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import PAY, merchant_balance

completions = pytest.importorskip("app.channels.completions")
pytest.importorskip("app.channels.sandbox_provider")


def pay_input(merchant_no: str, amount: str, channel: str, key: str, **extra: object) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "channel": channel,
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key, **extra}}


def test_payment_handlers_are_registered():
    from app.payments.channel_completion import on_payment_failed, on_payment_succeeded

    handlers = completions.handlers_for("PAYMENT")
    assert handlers is not None
    assert (handlers.on_succeeded, handlers.on_failed) == (on_payment_succeeded, on_payment_failed)


@pytest.mark.parametrize(("action", "status", "credited"), [("complete", "SUCCEEDED", 42_00), ("fail", "FAILED", 0)])
async def test_a_third_party_payment_finishes_through_the_signed_webhook(gql, http, action, status, credited):
    merchant, _ = await make_merchant()
    payer = await make_user()
    payload = await gql.mutate(PAY, pay_input(merchant.merchant_no, "42.00", "THIRD_PARTY", "tp"), token=token_for(payer))
    assert payload["errors"] == [] and payload["transaction"]["status"] == "PENDING"
    reference = payload["transaction"]["transactionNo"]
    assert payload["transaction"]["checkoutUrl"].endswith(f"/sandbox/checkout/{reference}")

    response = await http.post(f"/sandbox/checkout/{reference}/{action}")
    assert response.status_code == 200, response.text
    again = await http.post(f"/sandbox/checkout/{reference}/{action}")  # a second notice changes nothing
    assert again.status_code == 200
    assert (await Transaction.get(transaction_no=reference)).status == status
    assert await merchant_balance(merchant) == credited
    assert (await reconcile()).clean


async def test_sandbox_bank_cards_pay_or_decline(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    good, declined = await make_card(payer, ending="1234"), await make_card(payer, ending="0002")
    token = token_for(payer)
    ok = await gql.mutate(PAY, pay_input(merchant.merchant_no, "10.00", "BANK_CARD", "c1",
                                         bankCardId=to_global_id("BankCard", good.id)), token=token)
    assert ok["errors"] == [] and ok["transaction"]["status"] == "SUCCEEDED"
    refused = await gql.mutate(PAY, pay_input(merchant.merchant_no, "10.00", "BANK_CARD", "c2",
                                              bankCardId=to_global_id("BankCard", declined.id)), token=token)
    assert user_error_codes(refused) == ["CHANNEL_DECLINED"]
    assert await merchant_balance(merchant) == 10_00 and await wallet_balance(payer) == (0, 0)
    assert (await reconcile()).clean
