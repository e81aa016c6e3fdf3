"""The merchant console (API keys, orders live, merchant refunds) and the wallet's payment-code
screen (rotating code, QR and barcode, a charge above the limit confirmed when pushed live)."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.factories import DEFAULT_PIN, fund, make_user, token_for
from tests.merchant_platform.core_support import CHARGE, key_auth

from .browser import open_screen, screenshot
from .setup import create_merchant


async def test_keys_orders_live_and_a_refund_in_the_console(open_page, require, gql) -> None:  # noqa: ANN001
    require("createMerchantApiKey", "createOrder", "orderStatus", "refundOrder", "payQrCode")
    owner = await make_user()
    await create_merchant(gql, owner.phone, name="街角咖啡")
    payer = await make_user()
    await fund(payer, 100_00)

    shop = await open_page(token=token_for(owner))
    await open_screen(shop, "merchant-api")
    keys = shop.get_by_test_id("api-key-form")
    await keys.get_by_test_id("input-name").fill("收银台")
    await keys.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await shop.get_by_test_id("api-key-submit").click()
    await expect(shop.get_by_test_id("api-key-secret")).to_contain_text("sk_")
    await expect(shop.get_by_test_id("api-key")).to_have_attribute("data-revoked", "no")

    orders = shop.get_by_test_id("order-form")
    await orders.get_by_test_id("input-outTradeNo").fill("WEB-1")
    await orders.get_by_test_id("input-amount").fill("20.00")
    await shop.get_by_test_id("order-submit").click()
    row = shop.locator("[data-testid=order][data-out-trade-no=WEB-1]")
    await expect(row).to_have_attribute("data-status", "CREATED")
    await expect(row.get_by_test_id("order-live")).to_have_attribute("data-live", "on")
    payload = await shop.get_by_test_id("order-payload").text_content()

    customer = await open_page(token=token_for(payer))
    await open_screen(customer, "pay-qr")
    form = customer.get_by_test_id("pay-qr-form")
    await form.get_by_test_id("input-payload").fill(payload or "")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await customer.get_by_test_id("pay-qr-submit").click()
    await expect(customer.get_by_test_id("pay-qr-done")).to_have_attribute("data-status", "SUCCEEDED")

    await expect(row).to_have_attribute("data-status", "PAID")
    refund = row.get_by_test_id("order-refund-form")
    await refund.get_by_test_id("input-amount").fill("5.00")
    await row.get_by_test_id("order-refund-submit").click()
    await expect(row.get_by_test_id("order-refund-done")).to_contain_text("¥5.00")
    await screenshot(shop, "merchant-console")

    await shop.get_by_test_id("api-key-revoke").click()
    await expect(shop.get_by_test_id("api-key")).to_have_attribute("data-revoked", "yes")


async def test_the_payer_confirms_a_charge_pushed_to_the_payment_code_screen(
    open_page, require, gql, web_server  # noqa: ANN001
) -> None:
    require("enablePaymentCode", "paymentCode", "chargePaymentCode", "paymentCodeCharges")
    owner = await make_user()
    merchant_no = await create_merchant(gql, owner.phone, name="好邻居便利店")
    key = await gql.mutate(
        """mutation($input: CreateMerchantApiKeyInput!) { createMerchantApiKey(input: $input) { secret errors { code } } }""",
        {"input": {"merchantNo": merchant_no, "name": "till", "scopes": ["ORDERS"], "paymentPassword": DEFAULT_PIN}},
        token=token_for(owner))
    payer = await make_user()
    await fund(payer, 2_000_00)

    wallet = await open_page(token=token_for(payer))
    await open_screen(wallet, "pay-code")
    enable = wallet.get_by_test_id("pay-code-enable")
    await enable.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await wallet.get_by_test_id("pay-code-enable-submit").click()
    await expect(wallet.get_by_test_id("pay-code-qr")).to_be_visible()
    await expect(wallet.get_by_test_id("pay-code-barcode")).to_be_visible()
    await expect(wallet.get_by_test_id("pay-code-live")).to_have_attribute("data-live", "on")
    digits = ((await wallet.get_by_test_id("pay-code-digits").text_content()) or "").replace(" ", "")
    assert len(digits) == 18

    # The till calls the server the wallet is connected to (its events reach that server's subscribers).
    async with httpx.AsyncClient(base_url=web_server.http_url, timeout=30) as till:
        response = await till.post("/graphql", headers=key_auth(key["secret"]), json={
            "query": CHARGE, "variables": {"input": {"code": digits, "amount": "1200.00", "outTradeNo": "BIG-1"}}})
    charged = response.json()["data"]["chargePaymentCode"]
    assert charged["order"]["status"] == "AWAITING_CONFIRMATION", charged
    card = wallet.get_by_test_id("pay-code-charge")
    await expect(card).to_have_attribute("data-status", "AWAITING_CONFIRMATION")
    await card.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await card.get_by_test_id("pay-code-confirm-submit").click()
    await expect(wallet.get_by_test_id("pay-code-charge").first).to_have_attribute("data-status", "PAID")
    await screenshot(wallet, "payment-code")
