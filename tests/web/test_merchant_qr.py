"""A merchant's payment code turns PAID on the merchant screen while another browser pays it."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import DEFAULT_PIN, fund, make_user, token_for

from .browser import open_screen, screenshot
from .setup import create_merchant


async def test_merchant_screen_turns_paid_live(open_page, require, gql) -> None:  # noqa: ANN001
    require("createMerchant", "createPaymentQrCode", "paymentQrCodeStatus", "payQrCode")
    owner = await make_user()
    await create_merchant(gql, owner.phone, name="街角咖啡")
    payer = await make_user()
    await fund(payer, 100_00)

    shop = await open_page(token=token_for(owner))
    await open_screen(shop, "merchant")
    await expect(shop.get_by_test_id("merchant-name")).to_have_text("街角咖啡")
    create = shop.get_by_test_id("qr-create-form")
    await create.get_by_test_id("input-amount").fill("25.00")
    await create.get_by_test_id("input-description").fill("拿铁一杯")
    await shop.get_by_test_id("qr-create-submit").click()
    code = shop.get_by_test_id("qr-code-card")
    await expect(code).to_have_attribute("data-status", "ACTIVE")
    await expect(shop.get_by_test_id("qr-code-image")).to_be_visible()
    await expect(shop.get_by_test_id("qr-code-live")).to_have_attribute("data-live", "on")
    payload = await shop.get_by_test_id("qr-code-payload").text_content()

    customer = await open_page(token=token_for(payer))
    await open_screen(customer, "pay-qr")
    form = customer.get_by_test_id("pay-qr-form")
    await form.get_by_test_id("input-payload").fill(payload or "")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await customer.get_by_test_id("pay-qr-submit").click()
    await expect(customer.get_by_test_id("pay-qr-done")).to_have_attribute("data-status", "SUCCEEDED")

    await expect(code).to_have_attribute("data-status", "PAID")
    await expect(shop.get_by_test_id("qr-code-paid")).to_contain_text("¥25.00")
    await screenshot(shop, "merchant-qr-paid")

    # a paid code cannot be paid twice
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await customer.get_by_test_id("pay-qr-submit").click()
    await expect(form.locator("[data-error-code=QR_CODE_USED]")).to_be_visible()
