"""pay with WALLET_BALANCE: one journal wallet -> merchant, names on both sides, events,
idempotency, and refusals that move nothing."""

from __future__ import annotations

import pytest

from app.ledger.reconcile import reconcile
from app.masking import mask_phone
from models import Account, IdempotencyRecord, Journal, OutboxEvent, SandboxMessage, Transaction
from models.risk import RiskDecision
from schema.money.types import TransactionType
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import MERCHANT_BALANCE, PAY, merchant_balance


def pay_input(merchant_no: str, amount: str, key: str = "k1", **extra: object) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key, **extra}}


async def test_paying_from_the_wallet_moves_money_in_one_journal(gql):
    merchant, owner = await make_merchant("街角咖啡")
    payer = await make_user()
    await fund(payer, 100_00)
    merchant_account_before = await Account.get(id=merchant.account_id)

    payload = await gql.mutate(PAY, pay_input(merchant.merchant_no, "12.50", description="拿铁"), token=token_for(payer))
    assert payload["errors"] == []
    tx = payload["transaction"]
    assert tx["type"] == "PAYMENT" and tx["status"] == "SUCCEEDED" and tx["channel"] == "WALLET_BALANCE"
    assert tx["direction"] == "OUT" and tx["amount"] == "12.50" and tx["description"] == "拿铁"
    assert tx["counterparty"] == {"name": "街角咖啡", "account": merchant.merchant_no}
    assert payload["account"] == {"available": "87.50", "frozen": "0.00"}

    assert await wallet_balance(payer) == (87_50, 0)
    assert await merchant_balance(merchant) == 12_50
    seen_by_owner = await gql.ok(MERCHANT_BALANCE, token=token_for(owner))
    assert seen_by_owner["viewer"]["merchant"]["account"]["available"] == "12.50"

    row = await Transaction.get(transaction_no=tx["transactionNo"])
    journals = await Journal.filter(transaction_id=row.id)
    assert [j.kind for j in journals] == ["POST"]
    # Hot merchants: the merchant account row is never written, only its postings.
    merchant_account_after = await Account.get(id=merchant.account_id)
    assert (merchant_account_after.available, merchant_account_after.held) == (
        merchant_account_before.available, merchant_account_before.held) == (0, 0)

    # The merchant sees the same row as an incoming payment from the payer's masked phone.
    merchant_view = TransactionType.from_model(row, merchant.account_id)
    assert merchant_view.direction.value == "IN"
    assert merchant_view.counterparty.name == mask_phone(payer.phone)
    assert payer.phone not in (merchant_view.counterparty.account or "")
    assert merchant_view.checkout_url is None

    # balanceChanged for the payer (outbox, published after commit) with an SMS.
    payer_wallet = await Account.get(user_id=payer.id, kind="WALLET")
    events = await OutboxEvent.filter(topic=f"balance:{payer_wallet.id}").order_by("id")
    assert events[-1].payload["delta"] == -12_50 and events[-1].payload["transactionId"] == row.id
    assert events[-1].published_at is not None
    assert await SandboxMessage.filter(recipient=payer.phone, purpose="BALANCE").count() == 1
    assert await RiskDecision.filter(user_id=payer.id, outcome="ALLOW").count() == 1
    assert (await reconcile()).clean


async def test_insufficient_funds_moves_nothing(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 10_00)
    payload = await gql.mutate(PAY, pay_input(merchant.merchant_no, "10.01"), token=token_for(payer))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INSUFFICIENT_FUNDS", ["input", "amount"])]
    assert payload["transaction"] is None
    assert await wallet_balance(payer) == (10_00, 0)
    assert await merchant_balance(merchant) == 0
    assert await Transaction.filter(type="PAYMENT").count() == 0
    assert await IdempotencyRecord.all().count() == 0  # the key stays free for a retry
    # The same key works once the wallet can afford it.
    await fund(payer, 1)
    retried = await gql.mutate(PAY, pay_input(merchant.merchant_no, "10.01"), token=token_for(payer))
    assert retried["errors"] == [] and await wallet_balance(payer) == (0, 0)


async def test_wrong_payment_password_moves_nothing(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 50_00)
    variables = pay_input(merchant.merchant_no, "5.00")
    variables["input"]["paymentPassword"] = "864202"
    payload = await gql.mutate(PAY, variables, token=token_for(payer))
    assert user_error_codes(payload) == ["INVALID_PAYMENT_PASSWORD"]
    no_pin = await make_user(pin=None)
    await fund(no_pin, 50_00)
    payload = await gql.mutate(PAY, pay_input(merchant.merchant_no, "5.00"), token=token_for(no_pin))
    assert user_error_codes(payload) == ["PAYMENT_PASSWORD_NOT_SET"]
    assert await wallet_balance(payer) == (50_00, 0) and await merchant_balance(merchant) == 0
    assert await Transaction.filter(type="PAYMENT").count() == 0


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"merchantNo": "M000000000000"}, "NOT_FOUND", "merchantNo"),
        ({"amount": "0"}, "INVALID_AMOUNT", "amount"),
        ({"amount": "-1.00"}, "INVALID_AMOUNT", "amount"),
        ({"channel": "OFFLINE"}, "VALIDATION_FAILED", "channel"),
        ({"idempotencyKey": ""}, "VALIDATION_FAILED", "idempotencyKey"),
        ({"description": "说" * 101}, "VALIDATION_FAILED", "description"),
    ],
)
async def test_bad_input_is_a_user_error_naming_the_field(gql, change, code, field):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 50_00)
    variables = pay_input(merchant.merchant_no, "1.00")
    variables["input"].update(change)
    payload = await gql.mutate(PAY, variables, token=token_for(payer))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, ["input", field])]
    assert await wallet_balance(payer) == (50_00, 0)


async def test_malformed_money_is_a_graphql_error(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    result = await gql(PAY, pay_input(merchant.merchant_no, "1.005"), token=token_for(payer))
    assert result.errors and not result.data


async def test_pay_needs_a_signed_in_user(gql):
    merchant, _ = await make_merchant()
    result = await gql(PAY, pay_input(merchant.merchant_no, "1.00"))
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_a_replay_returns_the_first_result_and_moves_nothing_again(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 50_00)
    token = token_for(payer)
    first = await gql.mutate(PAY, pay_input(merchant.merchant_no, "20.00", key="same"), token=token)
    again = await gql.mutate(PAY, pay_input(merchant.merchant_no, "20.00", key="same"), token=token)
    assert again["errors"] == []
    assert again["transaction"]["transactionNo"] == first["transaction"]["transactionNo"]
    assert await wallet_balance(payer) == (30_00, 0)
    assert await merchant_balance(merchant) == 20_00
    reused = await gql.mutate(PAY, pay_input(merchant.merchant_no, "21.00", key="same"), token=token)
    assert [(e["code"], e["field"]) for e in reused["errors"]] == [("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])]
    assert await Transaction.filter(type="PAYMENT").count() == 1
    # Another user may use the same key for their own payment.
    other = await make_user()
    await fund(other, 20_00)
    theirs = await gql.mutate(PAY, pay_input(merchant.merchant_no, "20.00", key="same"), token=token_for(other))
    assert theirs["errors"] == [] and theirs["transaction"]["transactionNo"] != first["transaction"]["transactionNo"]
    assert (await reconcile()).clean


MERCHANT_STATEMENT = """{ viewer { merchant { account { transactions(first: 10) { edges { node {
  transactionNo type direction amount counterparty { name } } } } } } } }"""

PAYER_STATEMENT = """{ transactions(first: 10) { edges { node { transactionNo type direction counterparty { name } } } } }"""


async def test_the_merchant_statement_lists_incoming_payments(gql):
    merchant, owner = await make_merchant("街角咖啡")
    payer = await make_user()
    await fund(payer, 30_00)
    paid = await gql.mutate(PAY, pay_input(merchant.merchant_no, "9.90"), token=token_for(payer))
    tx_no = paid["transaction"]["transactionNo"]

    owner_view = await gql.ok(MERCHANT_STATEMENT, token=token_for(owner))
    edges = owner_view["viewer"]["merchant"]["account"]["transactions"]["edges"]
    assert [e["node"] for e in edges] == [{
        "transactionNo": tx_no, "type": "PAYMENT", "direction": "IN", "amount": "9.90",
        "counterparty": {"name": mask_phone(payer.phone)},
    }]
    payer_view = await gql.ok(PAYER_STATEMENT, token=token_for(payer))
    mine = {e["node"]["transactionNo"]: e["node"] for e in payer_view["transactions"]["edges"]}
    assert mine[tx_no]["direction"] == "OUT" and mine[tx_no]["counterparty"] == {"name": "街角咖啡"}
