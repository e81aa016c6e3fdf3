"""pay with BANK_CARD and THIRD_PARTY, through channel test doubles injected with use_channels."""

from __future__ import annotations

import pytest

from app.ledger.accounts import balance_of, system_account
from app.ledger.reconcile import reconcile
from app.payments.channel_completion import on_payment_failed, on_payment_succeeded
from app.payments.channels import use_channels
from models import Journal, Transaction
from schema.node import to_global_id
from tests.factories import DEFAULT_PIN, fund, make_card, make_merchant, make_user, token_for, wallet_balance
from tests.payments.support import PAY, FakeBank, FakeThirdParty, merchant_balance


def pay_input(merchant_no: str, amount: str, channel: str, key: str = "k1", **extra: object) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "channel": channel,
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key, **extra}}


@pytest.fixture
def bank() -> FakeBank:
    fake = FakeBank()
    with use_channels(bank=fake):
        yield fake


@pytest.fixture
def provider() -> FakeThirdParty:
    fake = FakeThirdParty()
    with use_channels(third_party=fake):
        yield fake


async def test_bank_card_payment_charges_the_card_and_credits_the_merchant(gql, bank):
    merchant, _ = await make_merchant("面馆")
    payer = await make_user()
    await fund(payer, 5_00)
    card = await make_card(payer)
    payload = await gql.mutate(
        PAY, pay_input(merchant.merchant_no, "88.00", "BANK_CARD", bankCardId=to_global_id("BankCard", card.id)),
        token=token_for(payer),
    )
    assert payload["errors"] == []
    tx = payload["transaction"]
    assert (tx["status"], tx["channel"], tx["direction"], tx["amount"]) == ("SUCCEEDED", "BANK_CARD", "OUT", "88.00")
    assert tx["counterparty"]["name"] == "面馆"
    assert await wallet_balance(payer) == (5_00, 0)  # the wallet is untouched
    assert await merchant_balance(merchant) == 88_00
    assert (await balance_of(await system_account("BANK_CLEARING"))).available == -(5_00 + 88_00)
    [(number, amount, reference)] = bank.charges
    assert number.endswith(card.last4) and amount == 88_00 and reference == tx["transactionNo"]
    row = await Transaction.get(transaction_no=tx["transactionNo"])
    assert row.bank_card_id == card.id and row.account_id == (await payer.accounts.filter(kind="WALLET").first()).id
    assert await Journal.filter(transaction_id=row.id, kind="POST").count() == 1
    assert (await reconcile()).clean


@pytest.mark.parametrize("suffix", ["0002", "0051"])
async def test_a_declined_card_moves_nothing_and_a_replay_gives_the_same_answer(gql, bank, suffix):
    merchant, _ = await make_merchant()
    payer = await make_user()
    card = await make_card(payer, ending=suffix)
    variables = pay_input(merchant.merchant_no, "30.00", "BANK_CARD", key="card-1",
                          bankCardId=to_global_id("BankCard", card.id))
    payload = await gql.mutate(PAY, variables, token=token_for(payer))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("CHANNEL_DECLINED", ["input", "bankCardId"])]
    assert await merchant_balance(merchant) == 0
    row = await Transaction.get(type="PAYMENT")
    assert row.status == "FAILED" and await Journal.filter(transaction_id=row.id).count() == 0

    replayed = await gql.mutate(PAY, variables, token=token_for(payer))
    assert [e["code"] for e in replayed["errors"]] == ["CHANNEL_DECLINED"]
    assert len(bank.charges) == 1  # the card was not charged again
    assert await Transaction.filter(type="PAYMENT").count() == 1
    assert await merchant_balance(merchant) == 0
    assert (await reconcile()).clean


async def test_bank_card_payment_needs_the_payers_own_card(gql, bank):
    merchant, _ = await make_merchant()
    payer, other = await make_user(), await make_user()
    others_card = await make_card(other)
    token = token_for(payer)
    missing = await gql.mutate(PAY, pay_input(merchant.merchant_no, "1.00", "BANK_CARD"), token=token)
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("VALIDATION_FAILED", ["input", "bankCardId"])]
    for card_id in (to_global_id("BankCard", others_card.id), to_global_id("Merchant", merchant.id), "garbage"):
        payload = await gql.mutate(
            PAY, pay_input(merchant.merchant_no, "1.00", "BANK_CARD", bankCardId=card_id), token=token
        )
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", ["input", "bankCardId"])]
    assert bank.charges == [] and await Transaction.all().count() == 0


async def test_third_party_payment_is_pending_with_a_checkout_url_until_the_provider_confirms(gql, provider):
    merchant, _ = await make_merchant("水电燃气公司")
    payer = await make_user()
    await fund(payer, 1_00)
    payload = await gql.mutate(PAY, pay_input(merchant.merchant_no, "256.30", "THIRD_PARTY", description="电费"),
                               token=token_for(payer))
    assert payload["errors"] == []
    tx = payload["transaction"]
    assert (tx["status"], tx["channel"], tx["direction"]) == ("PENDING", "THIRD_PARTY", "OUT")
    assert tx["checkoutUrl"] == f"https://checkout.test/{tx['transactionNo']}"
    assert provider.checkouts == [(256_30, tx["transactionNo"], "电费")]
    assert await merchant_balance(merchant) == 0

    row = await Transaction.get(transaction_no=tx["transactionNo"])
    assert await on_payment_succeeded(row.id) is True
    assert await on_payment_succeeded(row.id) is False  # a repeated webhook changes nothing
    assert await on_payment_failed(row.id) is False  # nor does a late failure
    row = await Transaction.get(id=row.id)
    assert row.status == "SUCCEEDED" and row.completed_at is not None
    assert await merchant_balance(merchant) == 256_30
    assert await wallet_balance(payer) == (1_00, 0)
    assert (await balance_of(await system_account("THIRD_PARTY_CLEARING"))).available == -256_30
    assert await Journal.filter(transaction_id=row.id, kind="POST").count() == 1
    assert (await reconcile()).clean


async def test_a_failed_third_party_payment_moves_nothing(gql, provider):
    merchant, _ = await make_merchant()
    payer = await make_user()
    payload = await gql.mutate(PAY, pay_input(merchant.merchant_no, "10.00", "THIRD_PARTY"), token=token_for(payer))
    row = await Transaction.get(transaction_no=payload["transaction"]["transactionNo"])
    assert await on_payment_failed(row.id) is True
    assert await on_payment_succeeded(row.id) is False  # too late: it failed
    assert (await Transaction.get(id=row.id)).status == "FAILED"
    assert await merchant_balance(merchant) == 0
    assert await Journal.filter(transaction_id=row.id).count() == 0
    assert (await reconcile()).clean


async def test_a_refused_checkout_is_channel_declined(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    with use_channels(third_party=FakeThirdParty(refuse=True)):
        payload = await gql.mutate(PAY, pay_input(merchant.merchant_no, "10.00", "THIRD_PARTY"), token=token_for(payer))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("CHANNEL_DECLINED", ["input", "channel"])]
    assert (await Transaction.get(type="PAYMENT")).status == "FAILED"
    assert await merchant_balance(merchant) == 0


async def test_completion_handlers_ignore_other_transactions(gql):
    payer = await make_user()
    top_up = await fund(payer, 10_00)
    assert await on_payment_failed(top_up.id) is False
    assert await on_payment_succeeded(top_up.id) is False
    assert (await Transaction.get(id=top_up.id)).status == "SUCCEEDED"
    assert (await reconcile()).clean
