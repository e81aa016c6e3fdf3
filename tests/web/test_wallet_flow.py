"""Register in the browser, then top up and pay in one tab while the wallet in another
tab shows the balance change live."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import DEFAULT_PIN, card_number, make_user, next_phone

from .browser import open_screen, screenshot
from .setup import create_merchant, mark_real_name_verified

PASSWORD = "Wallet#2026go"


async def second_tab(page):  # noqa: ANN001, ANN201
    """Another tab of the same browser signed in as the same user (sessionStorage is per tab)."""
    state = await page.evaluate("sessionStorage.getItem('fenpay.session')")
    tab = await page.context.new_page()
    await tab.goto("/")
    await tab.evaluate("state => sessionStorage.setItem('fenpay.session', state)", state)
    await tab.reload()  # the app reads its session when it starts
    await tab.get_by_test_id("screen-home").wait_for()  # signed in before we navigate on
    return tab


async def test_register_top_up_pay_and_see_the_balance_change_live(open_page, require, gql) -> None:  # noqa: ANN001
    require("requestVerificationCode", "register", "login", "setPaymentPassword", "addBankCard",
            "topUp", "pay", "balanceChanged", "createMerchant")
    owner = await make_user()
    merchant_no = await create_merchant(gql, owner.phone)
    phone = next_phone()
    page = await open_page()

    # register with the SMS code shown by the sandbox banner
    await open_screen(page, "register")
    form = page.get_by_test_id("register-form")
    await form.get_by_test_id("input-phone").fill(phone)
    await page.get_by_test_id("send-code-verificationCode").click()
    await expect(page.get_by_test_id("dev-sms-recipient")).to_have_text(phone)
    code = await page.get_by_test_id("dev-sms-code").inner_text()
    await form.get_by_test_id("input-verificationCode").fill(code)
    await form.get_by_test_id("input-password").fill(PASSWORD)
    await form.get_by_test_id("input-confirmPassword").fill(PASSWORD)
    await form.get_by_test_id("input-acceptTerms").check()
    await screenshot(page, "register")
    await page.get_by_test_id("register-submit").click()
    await expect(page.get_by_test_id("screen-home")).to_be_visible()
    await expect(page.get_by_test_id("balance-available")).to_have_text("¥0.00")
    id_number = await mark_real_name_verified(phone)

    # payment password
    await open_screen(page, "security")
    pin_form = page.get_by_test_id("pin-form")
    await pin_form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await pin_form.get_by_test_id("input-confirmPaymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("pin-submit").click()
    await expect(page.get_by_test_id("pin-saved")).to_be_visible()

    # bind a bank card with a code sent to the bank-reserved phone
    await open_screen(page, "cards")
    card_form = page.get_by_test_id("add-card-form")
    await card_form.get_by_test_id("input-cardNumber").fill(card_number("622202", length=19))
    await card_form.get_by_test_id("input-holderName").fill("张三")
    await card_form.get_by_test_id("input-idNumber").fill(id_number)
    await card_form.get_by_test_id("input-phone").fill(phone)
    await page.get_by_test_id("send-code-verificationCode").click()
    await expect(page.get_by_test_id("dev-sms-text")).to_contain_text("绑定银行卡")
    await card_form.get_by_test_id("input-verificationCode").fill(await page.get_by_test_id("dev-sms-code").inner_text())
    await page.get_by_test_id("add-card-submit").click()
    await expect(page.get_by_test_id("card-added")).to_be_visible()
    await expect(page.get_by_test_id("bank-card")).to_have_count(1)

    # the wallet stays open in this tab; money moves in another one
    await open_screen(page, "home")
    await expect(page.get_by_test_id("balance-live")).to_have_attribute("data-live", "on")
    tab = await second_tab(page)
    await open_screen(tab, "topup")
    topup = tab.get_by_test_id("topup-form")
    await topup.get_by_test_id("input-amount").fill("100")
    await topup.get_by_test_id("input-channel").select_option("BANK_CARD")
    await tab.get_by_test_id("topup-submit").click()
    await expect(tab.get_by_test_id("topup-done")).to_have_attribute("data-status", "SUCCEEDED")
    await screenshot(tab, "top-up")
    await expect(page.get_by_test_id("balance-available")).to_have_text("¥100.00")
    await expect(page.get_by_test_id("balance-delta")).to_have_text("+¥100.00")

    await open_screen(tab, f"pay/{merchant_no}")
    pay = tab.get_by_test_id("pay-form")
    await expect(tab.get_by_test_id("merchant-name")).to_contain_text("好邻居便利店")
    await pay.get_by_test_id("input-amount").fill("30.50")
    await pay.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await tab.get_by_test_id("pay-submit").click()
    await expect(tab.get_by_test_id("pay-done")).to_have_attribute("data-status", "SUCCEEDED")
    await screenshot(tab, "pay")
    await expect(page.get_by_test_id("balance-available")).to_have_text("¥69.50")
    await expect(page.get_by_test_id("balance-delta")).to_have_text("-¥30.50")
    await expect(page.get_by_test_id("recent-transactions").get_by_test_id("tx-row")).to_have_count(2)
    await screenshot(page, "wallet-home")


async def test_wrong_payment_password_is_shown_next_to_the_field(open_page, require, gql) -> None:  # noqa: ANN001
    require("pay", "createMerchant")
    from tests.factories import fund, token_for

    owner = await make_user()
    merchant_no = await create_merchant(gql, owner.phone)
    payer = await make_user()
    await fund(payer, 50_00)
    page = await open_page(token=token_for(payer))
    await open_screen(page, f"pay/{merchant_no}")
    form = page.get_by_test_id("pay-form")
    await form.get_by_test_id("input-amount").fill("10")
    await form.get_by_test_id("input-paymentPassword").fill("975312")
    await page.get_by_test_id("pay-submit").click()
    error = form.locator("[data-error-code=INVALID_PAYMENT_PASSWORD]")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("支付密码错误")
    await expect(page.get_by_test_id("pay-done")).to_have_count(0)
