"""Paying a foreign merchant in the web app: the locked quote (both currencies, the rate, a
countdown) is shown before the payment password; an expired quote is refused and a new one asked."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import expect

from app import clock
from models.fx import FxQuote
from tests.factories import DEFAULT_PIN, fund, make_staff, make_user, token_for, wallet_balance

from .browser import open_screen, screenshot

CREATE_MERCHANT = """mutation($input: CreateMerchantInput!) {
  createMerchant(input: $input) { merchant { merchantNo currency } errors { code message } }
}"""
LATEST = """query { transactions(first: 1) { edges { node { amount status
  fx { cnyAmount merchantAmount merchantCurrency rate } } } } }"""


CREATE_QR = """mutation($input: CreatePaymentQrCodeInput!) {
  createPaymentQrCode(input: $input) { qrCode { payload amount } errors { code } } }"""


async def foreign_merchant(gql, currency: str, owner=None) -> str:  # noqa: ANN001
    owner = owner or await make_user()
    payload = await gql.mutate(CREATE_MERCHANT, {"input": {
        "name": "Harbour Books", "category": "书店", "ownerPhone": owner.phone, "currency": currency}},
        token=token_for(await make_staff("ADMIN")))
    assert payload["errors"] == [] and payload["merchant"]["currency"] == currency, payload
    return payload["merchant"]["merchantNo"]


async def test_a_foreign_merchant_is_paid_at_the_quote_shown_before_the_password(open_page, require, gql) -> None:  # noqa: ANN001
    require("createFxQuote", "pay", "createMerchant")
    merchant_no = await foreign_merchant(gql, "USD")
    payer = await make_user()
    await fund(payer, 500_00)
    page = await open_page(token=token_for(payer))
    await open_screen(page, f"pay/{merchant_no}")
    form = page.get_by_test_id("pay-form")
    await expect(page.get_by_test_id("fx-merchant-currency")).to_contain_text("USD")
    await expect(form.get_by_test_id("input-paymentPassword")).to_be_hidden()
    await expect(form.get_by_test_id("input-channel")).to_be_hidden()

    await form.get_by_test_id("input-amount").fill("10")
    await form.get_by_test_id("input-amountCurrency").select_option("USD")
    await page.get_by_test_id("pay-submit").click()
    box = page.get_by_test_id("fx-quote")
    await expect(box).to_have_attribute("data-state", "live")
    await expect(box.get_by_test_id("fx-cny")).to_have_text("¥71.00")
    await expect(box.get_by_test_id("fx-merchant-amount")).to_have_text("USD 10.00")
    await expect(box.get_by_test_id("fx-rate")).to_have_text("1 USD = 7.100000 CNY")
    seconds = int(await box.get_by_test_id("fx-countdown").get_attribute("data-seconds") or "0")
    assert 0 < seconds <= 60, seconds
    await expect(form.get_by_test_id("input-paymentPassword")).to_be_visible()
    await expect(page.get_by_test_id("pay-submit")).to_have_text("确认付款")
    assert await wallet_balance(payer) == (500_00, 0)  # a quote moves no money
    await screenshot(page, "pay-cross-border-quote")

    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("pay-submit").click()
    await expect(page.get_by_test_id("pay-done")).to_have_attribute("data-status", "SUCCEEDED")
    await expect(page.get_by_test_id("pay-done-fx")).to_contain_text("USD 10.00")
    await expect(page.get_by_test_id("pay-done-fx")).to_contain_text("¥71.00")
    assert await wallet_balance(payer) == (429_00, 0)
    tx = (await gql.ok(LATEST, token=token_for(payer)))["transactions"]["edges"][0]["node"]
    assert tx["fx"] == {"cnyAmount": "71.00", "merchantAmount": "10.00", "merchantCurrency": "USD", "rate": "7.100000"}
    await expect(box).to_be_hidden()  # the next payment asks for a new quote
    await expect(page.get_by_test_id("pay-submit")).to_have_text("获取汇率报价")


async def test_an_expired_quote_is_refused_and_a_new_one_is_asked(open_page, require, gql) -> None:  # noqa: ANN001
    require("createFxQuote", "pay", "createMerchant")
    merchant_no = await foreign_merchant(gql, "JPY")
    payer = await make_user()
    await fund(payer, 500_00)
    page = await open_page(token=token_for(payer))
    await open_screen(page, f"pay/{merchant_no}")
    form = page.get_by_test_id("pay-form")
    await expect(page.get_by_test_id("fx-merchant-currency")).to_contain_text("JPY")
    await form.get_by_test_id("input-amount").fill("100")  # CNY
    await page.get_by_test_id("pay-submit").click()
    box = page.get_by_test_id("fx-quote")
    await expect(box.get_by_test_id("fx-merchant-amount")).to_have_text("JPY 2105")  # 100 / 0.0475, no minor unit
    await expect(box.get_by_test_id("fx-rate")).to_have_text("1 JPY = 0.047500 CNY")

    # the quote's validity passes on the server (the server's clock is real: age the quote instead)
    quote = await FxQuote.filter(user_id=payer.id).order_by("-id").first()
    assert quote is not None
    quote.expires_at = clock.now() - timedelta(seconds=1)
    await quote.save(update_fields=["expires_at"])
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("pay-submit").click()
    await expect(form.locator("[data-error-code=FX_QUOTE_EXPIRED]")).to_be_visible()
    await expect(box).to_be_hidden()
    await expect(form.get_by_test_id("input-paymentPassword")).to_be_hidden()
    await expect(page.get_by_test_id("pay-done")).to_have_count(0)
    assert await wallet_balance(payer) == (500_00, 0)

    # a new quote, then the payment goes through
    await page.get_by_test_id("pay-submit").click()
    await expect(box).to_have_attribute("data-state", "live")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("pay-submit").click()
    await expect(page.get_by_test_id("pay-done")).to_have_attribute("data-status", "SUCCEEDED")
    assert await wallet_balance(payer) == (400_00, 0)


async def test_a_foreign_merchants_qr_code_shows_the_quote_before_the_payment(open_page, require, gql) -> None:  # noqa: ANN001
    require("createFxQuote", "payQrCode", "createPaymentQrCode")
    owner = await make_user()
    await foreign_merchant(gql, "HKD", owner)
    made = await gql.mutate(CREATE_QR, {"input": {"amount": "91.00"}}, token=token_for(owner))  # HKD 91.00
    assert made["errors"] == [], made
    payer = await make_user()
    await fund(payer, 500_00)
    page = await open_page(token=token_for(payer))
    await open_screen(page, "pay-qr")
    form = page.get_by_test_id("pay-qr-form")
    await form.get_by_test_id("input-payload").fill(made["qrCode"]["payload"])
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("pay-qr-submit").click()
    # nothing is paid yet: the quote is shown and the password asked again
    box = page.get_by_test_id("fx-quote")
    await expect(box.get_by_test_id("fx-merchant-amount")).to_have_text("HKD 91.00")
    await expect(box.get_by_test_id("fx-cny")).to_have_text("¥82.81")
    await expect(box.get_by_test_id("fx-rate")).to_have_text("1 HKD = 0.910000 CNY")
    await expect(form.get_by_test_id("input-paymentPassword")).to_have_value("")
    assert await wallet_balance(payer) == (500_00, 0)
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("pay-qr-submit").click()
    await expect(page.get_by_test_id("pay-qr-done")).to_have_attribute("data-status", "SUCCEEDED")
    await expect(page.get_by_test_id("pay-done-fx")).to_contain_text("HKD 91.00")
    assert await wallet_balance(payer) == (500_00 - 82_81, 0)
