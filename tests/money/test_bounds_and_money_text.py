"""Issue 16 item 6: the per-movement maximum (AMOUNT_TOO_LARGE before any channel is called,
for every movement kind) and Money text of ASCII digits only, through the public API."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import pytest

from app.channels import registry
from app.channels.base import ChannelResult
from app.ledger.reconcile import reconcile
from models import Account, Refund, Transaction
from models.wealth import Holding
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.money.support import TOP_UP, WITHDRAW, bind_card
from tests.payments.support import CREATE_QR, PAY, TRANSFER
from tests.wealth.support import PURCHASE, REDEEM, make_product, purchase_input, redeem_input, set_tolerance

MAXIMUM = "1000000.00"  # the default FENPAY_MAX_MOVEMENT_FEN, in yuan
ABOVE = "1000000.01"
ABOVE_WHOLE = "1000001"  # top-ups and withdrawals are whole yuan
HUGE = "999999999999999"  # 93 top-ups of this overflowed SQLite before (issue 16)

REQUEST_REFUND = """
mutation($input: RequestRefundInput!) {
  requestRefund(input: $input) { refund { refundNo amount } errors { code message field } }
}"""


@dataclass
class RecordingBank:
    """A bank that records every call: an oversize movement must never reach it."""

    calls: list[tuple[str, int]] = field(default_factory=list)

    async def charge(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        self.calls.append(("charge", amount))
        return ChannelResult("SUCCEEDED", reference)

    async def payout(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        self.calls.append(("payout", amount))
        return ChannelResult("SUCCEEDED", reference)


@pytest.fixture
def recording_bank():  # noqa: ANN201
    bank = RecordingBank()
    registry.install(bank=bank)
    yield bank
    registry.install()


def _key() -> str:
    return secrets.token_hex(8)


def _only_error(payload: dict, code: str, field: list[str]) -> None:
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], payload["errors"]
    assert "1000000.00" in payload["errors"][0]["message"]


@pytest.mark.parametrize("amount", [ABOVE_WHOLE, HUGE])
async def test_top_up_above_the_maximum_is_refused_before_the_bank_is_called(gql, recording_bank, amount):
    user = await make_user()
    card = await bind_card(gql, user)
    for channel in ("BANK_CARD", "THIRD_PARTY"):
        variables = {"amount": amount, "channel": channel, "idempotencyKey": _key()}
        if channel == "BANK_CARD":
            variables["bankCardId"] = card
        payload = await gql.mutate(TOP_UP, {"input": variables}, token=token_for(user))
        _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    assert recording_bank.calls == []
    assert await Transaction.all().count() == 0
    assert await wallet_balance(user) == (0, 0)


async def test_top_up_at_the_maximum_is_accepted(gql, recording_bank):
    user = await make_user()
    card = await bind_card(gql, user)
    variables = {"amount": MAXIMUM, "channel": "BANK_CARD", "bankCardId": card, "idempotencyKey": _key()}
    payload = await gql.mutate(TOP_UP, {"input": variables}, token=token_for(user))
    assert payload["errors"] == []
    assert recording_bank.calls == [("charge", 100_000_000)]


async def test_withdrawal_and_its_quote_above_the_maximum_are_refused(gql, recording_bank):
    user = await make_user()
    card = await bind_card(gql, user)
    await fund(user, 200_000_000)
    variables = {
        "amount": ABOVE_WHOLE,
        "channel": "BANK_CARD",
        "bankCardId": card,
        "paymentPassword": DEFAULT_PIN,
        "idempotencyKey": _key(),
    }
    payload = await gql.mutate(WITHDRAW, {"input": variables}, token=token_for(user))
    _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    quote = await gql(
        'query { withdrawalQuote(amount: "1000001", channel: BANK_CARD) { fee } }', token=token_for(user)
    )
    assert quote.error_codes() == ["AMOUNT_TOO_LARGE"]
    assert recording_bank.calls == []
    assert await wallet_balance(user) == (200_000_000, 0)
    assert await Transaction.filter(type="WITHDRAWAL").count() == 0


@pytest.mark.parametrize("channel", ["WALLET_BALANCE", "BANK_CARD", "THIRD_PARTY"])
async def test_payment_above_the_maximum_is_refused_on_every_channel(gql, recording_bank, channel):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 200_000_000)
    variables = {
        "merchantNo": merchant.merchant_no, "amount": ABOVE, "channel": channel,
        "paymentPassword": DEFAULT_PIN, "idempotencyKey": _key(),
    }
    if channel == "BANK_CARD":
        variables["bankCardId"] = await bind_card(gql, payer)
    payload = await gql.mutate(PAY, {"input": variables}, token=token_for(payer))
    _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    assert recording_bank.calls == []
    assert await wallet_balance(payer) == (200_000_000, 0)
    assert await Transaction.filter(type="PAYMENT").count() == 0


async def test_transfer_and_qr_codes_above_the_maximum_are_refused(gql):
    payer, payee = await make_user(), await make_user()
    await fund(payer, 200_000_000)
    variables = {"recipient": payee.phone, "amount": ABOVE, "paymentPassword": DEFAULT_PIN, "idempotencyKey": _key()}
    payload = await gql.mutate(TRANSFER, {"input": variables}, token=token_for(payer))
    _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    _, owner = await make_merchant()
    payload = await gql.mutate(CREATE_QR, {"input": {"amount": ABOVE}}, token=token_for(owner))
    _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    assert await wallet_balance(payer) == (200_000_000, 0)
    assert await wallet_balance(payee) == (0, 0)


async def test_wealth_purchase_and_redemption_above_the_maximum_are_refused(gql):
    user = await make_user()
    await fund(user, 200_000_000)
    product = await make_product()
    await set_tolerance(user, "C5")
    payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, ABOVE)}, token=token_for(user))
    _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    bought = await gql.mutate(PURCHASE, {"input": purchase_input(product, "100.00")}, token=token_for(user))
    assert bought["errors"] == []
    payload = await gql.mutate(REDEEM, {"input": redeem_input(bought["holding"]["id"], ABOVE)}, token=token_for(user))
    _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    assert (await Holding.get()).principal == 10_000


async def test_refund_request_above_the_maximum_is_refused(gql):
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 50_00)
    variables = {
        "merchantNo": merchant.merchant_no, "amount": "20.00", "channel": "WALLET_BALANCE",
        "paymentPassword": DEFAULT_PIN, "idempotencyKey": _key(),
    }
    paid = await gql.mutate(PAY, {"input": variables}, token=token_for(payer))
    number = paid["transaction"]["transactionNo"]
    payload = await gql.mutate(
        REQUEST_REFUND, {"input": {"transactionNo": number, "amount": ABOVE, "reason": "WRONG_AMOUNT"}},
        token=token_for(payer),
    )
    _only_error(payload, "AMOUNT_TOO_LARGE", ["input", "amount"])
    assert await Refund.all().count() == 0


async def test_balances_stay_integers_and_reconcile_after_many_maximal_top_ups(gql):
    """The overflow of issue 16: many maximal top-ups keep an exact integer balance."""
    user = await make_user()
    card = await bind_card(gql, user)
    for _ in range(5):
        variables = {"amount": MAXIMUM, "channel": "BANK_CARD", "bankCardId": card, "idempotencyKey": _key()}
        assert (await gql.mutate(TOP_UP, {"input": variables}, token=token_for(user)))["errors"] == []
    wallet = await Account.get(user_id=user.id, kind="WALLET")
    assert type(wallet.available) is int and wallet.available == 500_000_000
    huge = {"amount": HUGE, "channel": "BANK_CARD", "bankCardId": card, "idempotencyKey": _key()}
    assert (await gql.mutate(TOP_UP, {"input": huge}, token=token_for(user)))["errors"][0]["code"] == "AMOUNT_TOO_LARGE"
    report = await reconcile()
    assert report.clean, report.breaks


# --- Money text: ASCII digits only ---------------------------------------------------------

UNICODE_AND_WHITESPACE = ["５０", "٥٠", "𝟓𝟎", "50.00\n", "０.０１", " 50", "50 ", "5０", "\t1.00", "१०"]


@pytest.mark.parametrize("amount", UNICODE_AND_WHITESPACE)
async def test_transfer_of_non_ascii_digits_is_refused_and_moves_nothing(gql, amount):
    payer, payee = await make_user(), await make_user()
    await fund(payer, 100_00)
    variables = {"recipient": payee.phone, "amount": amount, "paymentPassword": DEFAULT_PIN, "idempotencyKey": _key()}
    result = await gql(TRANSFER, {"input": variables}, token=token_for(payer))
    assert not result.data
    assert result.error_codes() == ["VALIDATION_FAILED"]
    assert "阿拉伯数字" in result.errors[0]["message"]
    assert await wallet_balance(payer) == (100_00, 0)
    assert await wallet_balance(payee) == (0, 0)


@pytest.mark.parametrize("amount", ["５０", "٥٠", "𝟓𝟎", "50.00\n"])
async def test_inline_non_ascii_money_literals_are_refused(gql, amount):
    user = await make_user()
    literal = amount.replace("\n", "\\n")
    result = await gql(f'query {{ withdrawalQuote(amount: "{literal}", channel: BANK_CARD) {{ fee }} }}', token=token_for(user))
    assert not result.data
    assert result.error_codes() == ["VALIDATION_FAILED"]


@pytest.mark.parametrize("amount", ["50", "50.0", "50.00", "0.01", "000050.10"])
async def test_ascii_amounts_still_parse(gql, amount):
    payer, payee = await make_user(), await make_user()
    await fund(payer, 100_00)
    variables = {"recipient": payee.phone, "amount": amount, "paymentPassword": DEFAULT_PIN, "idempotencyKey": _key()}
    payload = await gql.mutate(TRANSFER, {"input": variables}, token=token_for(payer))
    assert payload["errors"] == []

