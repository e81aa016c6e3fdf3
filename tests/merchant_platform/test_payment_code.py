"""The user-presented payment code (付款码) through the API: enabling, the RFC 6238 code with its
QR and Code 128 SVGs, charges below and above the password-free limit, single use, stale and
foreign codes, disabling and a payment-password reset invalidating the secret."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp

from app import clock
from app.ledger.reconcile import reconcile
from tests.factories import DEFAULT_PIN, fund, latest_code, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import merchant_balance

from .core_support import (
    CHARGE,
    CONFIRM,
    DISABLE_CODE,
    ENABLE_CODE,
    PAYMENT_CODE,
    key_auth,
    merchant_with_key,
)


async def _enabled_payer(gql, funds: int = 5_000_00):  # noqa: ANN001, ANN202
    payer = await make_user()
    await fund(payer, funds)
    enabled = await gql.mutate(ENABLE_CODE, {"pin": DEFAULT_PIN}, token=token_for(payer))
    assert enabled["errors"] == [] and enabled["secret"]
    return payer, enabled["secret"]


async def _code(gql, payer) -> str:  # noqa: ANN001
    return (await gql.ok(PAYMENT_CODE, token=token_for(payer)))["paymentCode"]["code"]


def _charge(code: str, amount: str, out_trade_no: str) -> dict:
    return {"input": {"code": code, "amount": amount, "outTradeNo": out_trade_no}}


async def test_the_code_is_18_digits_derived_by_rfc_6238_and_shown_as_qr_and_barcode(gql):
    payer, secret = await _enabled_payer(gql)
    shown = await gql.ok(PAYMENT_CODE, token=token_for(payer))
    code = shown["paymentCode"]
    assert shown["viewer"]["paymentCodeEnabled"] is True
    assert len(code["code"]) == 18 and code["code"].isdigit() and code["code"].startswith("28")
    # The app derives the same digits offline from the secret: TOTP, 30 s, 8 digits after the locator.
    # (the step the code was made for, read from its expiry: the real clock may have moved on since)
    made_for = datetime.fromisoformat(code["expiresAt"]) - timedelta(seconds=30)
    assert code["code"][10:] == pyotp.TOTP(secret, digits=8, interval=30).at(made_for)
    assert code["qrSvg"].lstrip().startswith("<svg") and "<svg" in code["barcodeSvg"]
    wrong = await gql.mutate(ENABLE_CODE, {"pin": "000000"}, token=token_for(await make_user()))
    assert user_error_codes(wrong) == ["INVALID_PAYMENT_PASSWORD"]
    other = await make_user()
    assert (await gql.ok(PAYMENT_CODE, token=token_for(other))) == {
        "paymentCode": None, "viewer": {"paymentCodeEnabled": False}}


async def test_below_the_limit_a_charge_is_paid_at_once_and_the_code_is_single_use(gql):
    merchant, _, secret = await merchant_with_key(gql)
    payer, _ = await _enabled_payer(gql)
    code = await _code(gql, payer)
    paid = await gql.mutate(CHARGE, _charge(code, "25.00", "T-1"), headers=key_auth(secret))
    assert paid["errors"] == [] and paid["order"]["status"] == "PAID" and paid["order"]["fee"] == "0.15"
    assert await wallet_balance(payer) == (5_000_00 - 25_00, 0)
    assert await merchant_balance(merchant) == 25_00 - 15
    # The till's retry with the same outTradeNo answers the same order; the code itself is spent.
    retry = await gql.mutate(CHARGE, _charge(code, "25.00", "T-1"), headers=key_auth(secret))
    assert retry["order"]["id"] == paid["order"]["id"]
    reused = await gql.mutate(CHARGE, _charge(code, "25.00", "T-2"), headers=key_auth(secret))
    assert user_error_codes(reused) == ["PAYMENT_CODE_INVALID"]
    # paymentCode now answers a new code, which works.
    fresh = await _code(gql, payer)
    assert fresh != code
    again = await gql.mutate(CHARGE, _charge(fresh, "5.00", "T-3"), headers=key_auth(secret))
    assert again["errors"] == []
    assert await wallet_balance(payer) == (5_000_00 - 30_00, 0)
    assert (await reconcile()).clean


async def test_stale_forged_and_foreign_codes_are_refused(gql):
    _, _, secret = await merchant_with_key(gql)
    payer, _ = await _enabled_payer(gql)
    other, other_secret = await _enabled_payer(gql)
    code = await _code(gql, payer)
    clock.set_now(clock.now() + timedelta(seconds=95))  # more than one step later
    stale = await gql.mutate(CHARGE, _charge(code, "1.00", "X-1"), headers=key_auth(secret))
    assert user_error_codes(stale) == ["PAYMENT_CODE_INVALID"] and stale["errors"][0]["field"] == ["input", "code"]
    clock.set_now(None)
    # Another user's one-time digits under this payer's locator: refused.
    foreign = code[:10] + pyotp.TOTP(other_secret, digits=8, interval=30).now()
    if foreign != code:
        refused = await gql.mutate(CHARGE, _charge(foreign, "1.00", "X-2"), headers=key_auth(secret))
        assert user_error_codes(refused) == ["PAYMENT_CODE_INVALID"]
    for bad in ("", "12345", "28" + "0" * 16, "x" * 18):
        refused = await gql.mutate(CHARGE, _charge(bad, "1.00", "X-3"), headers=key_auth(secret))
        assert user_error_codes(refused) == ["PAYMENT_CODE_INVALID"]
    assert await wallet_balance(payer) == (5_000_00, 0) and await wallet_balance(other) == (5_000_00, 0)


async def test_above_the_limit_the_payer_confirms_with_the_payment_password(gql):
    merchant, _, secret = await merchant_with_key(gql)
    payer, _ = await _enabled_payer(gql)
    charged = await gql.mutate(CHARGE, _charge(await _code(gql, payer), "1000.01", "L-1"), headers=key_auth(secret))
    order = charged["order"]
    assert order["status"] == "AWAITING_CONFIRMATION" and order["transaction"] is None
    assert await wallet_balance(payer) == (5_000_00, 0)
    stranger = await make_user()
    foreign = await gql.mutate(CONFIRM, {"input": {"orderId": order["id"], "paymentPassword": DEFAULT_PIN}},
                               token=token_for(stranger))
    assert user_error_codes(foreign) == ["NOT_FOUND"]
    wrong = await gql.mutate(CONFIRM, {"input": {"orderId": order["id"], "paymentPassword": "000000"}},
                             token=token_for(payer))
    assert user_error_codes(wrong) == ["INVALID_PAYMENT_PASSWORD"]
    done = await gql.mutate(CONFIRM, {"input": {"orderId": order["id"], "paymentPassword": DEFAULT_PIN}},
                            token=token_for(payer))
    assert done["errors"] == [] and done["order"]["status"] == "PAID"
    assert done["order"]["transaction"] == {"amount": "1000.01", "direction": "OUT"}
    assert await wallet_balance(payer) == (5_000_00 - 1_000_01, 0)
    assert await merchant_balance(merchant) == 1_000_01 - 6_00  # 0.6 % of 1000.01 = 6.00006 -> 6.00
    assert (await reconcile()).clean


async def test_the_daily_password_free_total_is_capped(gql):
    _, _, secret = await merchant_with_key(gql)
    payer, _ = await _enabled_payer(gql)
    first = await gql.mutate(CHARGE, _charge(await _code(gql, payer), "600.00", "D-1"), headers=key_auth(secret))
    assert first["order"]["status"] == "PAID"
    second = await gql.mutate(CHARGE, _charge(await _code(gql, payer), "600.00", "D-2"), headers=key_auth(secret))
    assert second["order"]["status"] == "AWAITING_CONFIRMATION"


async def test_disabling_and_a_payment_password_reset_invalidate_the_secret(gql):
    _, _, secret = await merchant_with_key(gql)
    payer, _ = await _enabled_payer(gql)
    code = await _code(gql, payer)
    off = await gql.mutate(DISABLE_CODE, {"pin": DEFAULT_PIN}, token=token_for(payer))
    assert off == {"ok": True, "errors": []}
    refused = await gql.mutate(CHARGE, _charge(code, "1.00", "V-1"), headers=key_auth(secret))
    assert user_error_codes(refused) == ["PAYMENT_CODE_INVALID"]
    await gql.mutate(ENABLE_CODE, {"pin": DEFAULT_PIN}, token=token_for(payer))
    code = await _code(gql, payer)
    sent = await gql.mutate(
        """mutation($p: String!) { requestVerificationCode(input: {recipient: $p, purpose: RESET_PAYMENT_PASSWORD}) {
        sent errors { code } } }""", {"p": payer.phone}, token=token_for(payer))
    assert sent["errors"] == [], sent
    reset = await gql.mutate(
        """mutation($input: ResetPaymentPasswordInput!) { resetPaymentPassword(input: $input) { ok errors { code } } }""",
        {"input": {"verificationCode": await latest_code(payer.phone, "RESET_PAYMENT_PASSWORD"),
                   "paymentPassword": "246813", "confirmPaymentPassword": "246813"}},
        token=token_for(payer))
    assert reset["errors"] == [], reset
    refused = await gql.mutate(CHARGE, _charge(code, "1.00", "V-2"), headers=key_auth(secret))
    assert user_error_codes(refused) == ["PAYMENT_CODE_INVALID"]
    assert (await gql.ok(PAYMENT_CODE, token=token_for(payer)))["paymentCode"] is None


async def test_enabling_hands_the_app_everything_it_needs_to_derive_the_code_offline(gql, caplog):
    """Secret, 10-digit prefix, step and digits, once: prefix + TOTP(secret) is the server's code."""
    payer = await make_user()
    enabled = await gql.mutate(
        """mutation($pin: String!) { enablePaymentCode(input: {paymentPassword: $pin}) {
        secret codePrefix stepSeconds otpDigits errors { code } } }""", {"pin": DEFAULT_PIN}, token=token_for(payer))
    assert enabled["errors"] == [] and enabled["stepSeconds"] == 30 and enabled["otpDigits"] == 8
    prefix = enabled["codePrefix"]
    assert len(prefix) == 10 and prefix.isdigit() and prefix.startswith("28")
    totp = pyotp.TOTP(enabled["secret"], digits=8, interval=30)
    shown = (await gql.ok(PAYMENT_CODE, token=token_for(payer)))["paymentCode"]
    made_for = datetime.fromisoformat(shown["expiresAt"]) - timedelta(seconds=30)
    assert made_for <= clock.now() < made_for + timedelta(seconds=60)
    assert shown["code"] == prefix + totp.at(made_for)
    assert enabled["secret"] not in caplog.text  # never in a log line
