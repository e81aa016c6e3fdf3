"""The staff console: live risk alerts and account freezing, real-name reviews, tickets
with replies that reach the user live."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import DEFAULT_PIN, fund, make_staff, make_user, token_for

from .browser import open_screen, screenshot
from .setup import create_merchant


async def test_large_payment_steps_up_raises_a_live_alert_and_the_officer_freezes(open_page, require, gql) -> None:  # noqa: ANN001
    require("createMerchant", "pay", "requestVerificationCode", "riskAlerts", "riskAlertRaised", "setAccountStatus")
    owner = await make_user()
    merchant_no = await create_merchant(gql, owner.phone)
    payer = await make_user()
    await fund(payer, 10_000_00)
    officer = await make_staff("RISK_OFFICER")

    console = await open_page(token=token_for(officer))
    await open_screen(console, "staff/alerts")
    await expect(console.get_by_test_id("alerts-live")).to_have_attribute("data-live", "on")

    wallet = await open_page(token=token_for(payer), phone=payer.phone)
    await open_screen(wallet, f"pay/{merchant_no}")
    form = wallet.get_by_test_id("pay-form")
    await form.get_by_test_id("input-amount").fill("6000")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await wallet.get_by_test_id("pay-submit").click()
    await expect(wallet.get_by_test_id("step-up")).to_be_visible()
    await expect(form.locator("[data-error-code=VERIFICATION_REQUIRED]")).to_be_visible()
    await wallet.get_by_test_id("send-code-verificationCode").click()
    await expect(wallet.get_by_test_id("dev-sms-recipient")).to_have_text(payer.phone)
    await form.get_by_test_id("input-verificationCode").fill(await wallet.get_by_test_id("dev-sms-code").inner_text())
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await wallet.get_by_test_id("pay-submit").click()
    await expect(wallet.get_by_test_id("pay-done")).to_have_attribute("data-status", "SUCCEEDED")

    alert = console.locator("[data-testid=alert-item][data-type=LARGE_AMOUNT]")
    await expect(alert).to_have_count(1)
    await expect(alert.get_by_test_id("alert-message")).to_contain_text("6000.00")
    await screenshot(console, "staff-risk-alerts")

    await alert.get_by_test_id("alert-freeze").click()
    await expect(console.get_by_test_id("staff-panel-accounts")).to_be_visible()
    freeze = console.get_by_test_id("account-status-form")
    await freeze.get_by_test_id("input-reason").fill("大额交易核查中")
    await console.get_by_test_id("account-status-submit").click()
    await expect(console.get_by_test_id("account-status-done")).to_contain_text("已冻结")

    await form.get_by_test_id("input-amount").fill("10")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await wallet.get_by_test_id("pay-submit").click()
    await expect(form.locator("[data-error-code=ACCOUNT_FROZEN]")).to_be_visible()


async def test_real_name_submitted_by_the_user_is_approved_in_the_console(open_page, require) -> None:  # noqa: ANN001
    require("submitRealNameVerification", "realNameReviewQueue", "reviewRealNameVerification")
    from tests.factories import next_id_number

    user = await make_user(verified=False)
    page = await open_page(token=token_for(user))
    await open_screen(page, "security")
    form = page.get_by_test_id("real-name-form")
    await form.get_by_test_id("input-realName").fill("李四")
    await form.get_by_test_id("input-idNumber").fill(next_id_number("19900101"))
    await page.get_by_test_id("real-name-submit").click()
    await expect(page.get_by_test_id("real-name-submitted")).to_be_visible()
    await expect(page.get_by_test_id("real-name-status")).not_to_have_attribute("data-status", "UNVERIFIED")

    staff = await open_page(token=token_for(await make_staff("SUPPORT")))
    await open_screen(staff, "staff/realname")
    item = staff.get_by_test_id("real-name-item")
    await expect(item).to_have_count(1)
    await screenshot(staff, "staff-real-name")
    await item.get_by_test_id("real-name-approve").click()
    await expect(staff.get_by_test_id("real-name-reviewed")).to_be_visible()

    await page.reload()
    await expect(page.get_by_test_id("real-name-status")).to_have_attribute("data-status", "VERIFIED")


async def test_ticket_reply_from_staff_reaches_the_user_live(open_page, require) -> None:  # noqa: ANN001
    require("submitTicket", "myTickets", "tickets", "replyTicket", "ticketMessages", "updateTicketStatus", "faq")
    user = await make_user()
    page = await open_page(token=token_for(user))
    await open_screen(page, "help")
    await expect(page.get_by_test_id("faq-results")).not_to_be_empty()
    form = page.get_by_test_id("ticket-form")
    await form.get_by_test_id("input-subject").fill("提现一直没到账")
    await form.get_by_test_id("input-body").fill("昨天提现 100 元，今天还没有到账。")
    await page.get_by_test_id("ticket-submit").click()
    thread = page.get_by_test_id("ticket-thread")
    await expect(thread).to_be_visible()
    await expect(page.get_by_test_id("ticket-live")).to_have_attribute("data-live", "on")
    ticket_no = await thread.get_attribute("data-ticket-no")

    staff = await open_page(token=token_for(await make_staff("SUPPORT")))
    await open_screen(staff, "staff/tickets")
    await staff.locator(f"[data-testid=ticket-row][data-ticket-no='{ticket_no}'] a").click()
    await expect(staff.get_by_test_id("ticket-messages").get_by_test_id("ticket-message")).to_have_count(1)
    await staff.get_by_test_id("reply-form").get_by_test_id("input-body").fill("您好，银行处理中，预计今天到账。")
    await staff.get_by_test_id("reply-submit").click()
    await staff.get_by_test_id("ticket-status-form").get_by_test_id("input-status").select_option("IN_PROGRESS")
    await staff.get_by_test_id("ticket-status-submit").click()
    await expect(staff.get_by_test_id("ticket-status")).to_have_text("处理中")

    reply = page.locator("[data-testid=ticket-message][data-from-staff=true]")
    await expect(reply).to_have_count(1)
    await expect(reply).to_contain_text("预计今天到账")
    await screenshot(page, "help-ticket")
    await screenshot(staff, "staff-ticket")


async def test_help_center_searches_the_faq(open_page, require) -> None:  # noqa: ANN001
    require("faq")
    page = await open_page(token=token_for(await make_user()))
    await open_screen(page, "help")
    entries = page.get_by_test_id("faq-results").get_by_test_id("faq-entry")
    await expect(entries.first).to_be_visible()
    everything = await entries.count()
    await page.get_by_test_id("faq-search").get_by_test_id("input-search").fill("提现")
    await page.get_by_test_id("faq-submit").click()
    await expect(entries.first).to_contain_text("提现")
    assert 0 < await entries.count() < everything
    await page.get_by_test_id("faq-search").get_by_test_id("input-search").fill("完全无关的词语xyz")
    await page.get_by_test_id("faq-submit").click()
    await expect(page.get_by_test_id("faq-empty")).to_be_visible()
    await page.get_by_test_id("faq-search").get_by_test_id("input-search").fill("")
    await page.get_by_test_id("faq-submit").click()
    await expect(entries).to_have_count(everything)
    await screenshot(page, "help-center")
