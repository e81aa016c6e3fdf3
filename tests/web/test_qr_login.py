"""QR login between two browsers: the computer shows the code, the phone (signed in) confirms."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import DEFAULT_PIN, make_user, token_for

from .browser import open_screen, screenshot
from .setup import masked


async def test_phone_confirms_and_the_computer_signs_in(open_page, require) -> None:  # noqa: ANN001
    require("createQrLoginSession", "scanQrLogin", "confirmQrLogin", "qrLoginStatus")
    user = await make_user()
    computer = await open_page()
    await open_screen(computer, "qr-login")
    status = computer.get_by_test_id("qr-login-status")
    await expect(status).to_have_attribute("data-status", "PENDING")
    await expect(computer.get_by_test_id("qr-login-image")).to_be_visible()
    await expect(computer.get_by_test_id("qr-live")).to_have_attribute("data-live", "on")
    payload = await computer.get_by_test_id("qr-login-payload").text_content()
    assert payload
    await screenshot(computer, "qr-login")

    phone = await open_page(token=token_for(user), phone=user.phone)
    await open_screen(phone, "scan")
    await phone.get_by_test_id("scan-form").get_by_test_id("input-payload").fill(payload)
    await phone.get_by_test_id("scan-submit").click()
    await expect(phone.get_by_test_id("scan-client")).to_contain_text("fenpay web")
    await expect(status).to_have_attribute("data-status", "SCANNED")
    await screenshot(phone, "qr-login-phone")

    await phone.get_by_test_id("qr-confirm-form").get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await phone.get_by_test_id("qr-confirm").click()
    await expect(phone.get_by_test_id("scan-done")).to_be_visible()
    await expect(computer.get_by_test_id("screen-home")).to_be_visible()
    await expect(computer.get_by_test_id("who")).to_have_text(masked(user.phone))


async def test_rejected_on_the_phone_then_refreshed_on_the_computer(open_page, require) -> None:  # noqa: ANN001
    require("createQrLoginSession", "scanQrLogin", "confirmQrLogin", "qrLoginStatus")
    user = await make_user()
    computer = await open_page()
    await open_screen(computer, "qr-login")
    status = computer.get_by_test_id("qr-login-status")
    await expect(computer.get_by_test_id("qr-live")).to_have_attribute("data-live", "on")
    first = await computer.get_by_test_id("qr-login-payload").text_content()

    phone = await open_page(token=token_for(user))
    await open_screen(phone, "scan")
    scan = phone.get_by_test_id("scan-form")
    await scan.get_by_test_id("input-payload").fill(first or "")
    await phone.get_by_test_id("scan-submit").click()
    await phone.get_by_test_id("qr-reject").click()
    await expect(phone.get_by_test_id("scan-done")).to_be_visible()
    await expect(status).to_have_attribute("data-status", "REJECTED")
    await expect(computer.get_by_test_id("screen-qr-login")).to_be_visible()

    # the answered code cannot be scanned again
    await phone.get_by_test_id("scan-submit").click()
    await expect(scan.locator("[data-error-code]")).to_be_visible()

    await computer.get_by_test_id("qr-login-refresh").click()
    await expect(computer.get_by_test_id("qr-login-payload")).not_to_have_text(first or "")
    await expect(status).to_have_attribute("data-status", "PENDING")
