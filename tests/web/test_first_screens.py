"""What a new user sees first: the wallet home's hints, one error line per field, history
dates typed the same way in every browser language, staff alert cards in words."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.async_api import expect

from tests.factories import fund, make_staff, make_user, token_for

from .browser import open_screen, screenshot

CHINA = timezone(timedelta(hours=8))


async def test_new_user_home_shows_the_identity_and_pin_hints(open_page) -> None:  # noqa: ANN001
    user = await make_user(verified=False, pin=None)
    page = await open_page(token=token_for(user), phone=user.phone)
    await open_screen(page, "home")
    await expect(page.get_by_test_id("real-name-hint")).to_be_visible()
    await expect(page.get_by_test_id("pin-hint")).to_be_visible()
    assert "[object" not in await page.locator("body").inner_text()
    await screenshot(page, "wallet-home-new-user")


async def test_registration_form_shows_one_line_per_field(open_page) -> None:  # noqa: ANN001
    page = await open_page()
    await open_screen(page, "register")
    form = page.get_by_test_id("register-form")
    await form.get_by_test_id("input-phone").fill("12345")
    await form.get_by_test_id("input-password").fill("Abcdef#123")
    await form.get_by_test_id("input-confirmPassword").fill("Abcdef#124")
    await page.get_by_test_id("register-submit").click()
    for name in ("phone", "verificationCode", "confirmPassword", "acceptTerms"):
        slot = form.locator(f'.field-error[data-error-for="{name}"]')
        await expect(slot).to_be_visible()
        assert await slot.locator(".error-main").count() == 1 and await slot.locator(".error-detail").count() == 0
    await screenshot(page, "register-errors")


async def test_history_dates_are_typed_as_china_time(open_page) -> None:  # noqa: ANN001
    user = await make_user()
    await fund(user, 10_00)
    await fund(user, 20_00)
    page = await open_page(token=token_for(user))
    await open_screen(page, "history")
    form = page.get_by_test_id("history-filter")
    date_input = form.get_by_test_id("input-from")
    assert await date_input.get_attribute("type") == "text"
    assert "2026-11-30" in (await date_input.get_attribute("placeholder") or "")
    today = datetime.now(CHINA).date()
    await date_input.fill(today.isoformat())
    await form.get_by_test_id("input-to").fill(today.isoformat())
    await page.get_by_test_id("history-search").click()
    await expect(page.get_by_test_id("history-total")).to_have_text("共 2 笔")
    await date_input.fill((today + timedelta(days=1)).isoformat())
    await form.get_by_test_id("input-to").fill("")
    await page.get_by_test_id("history-search").click()
    await expect(page.get_by_test_id("history-empty")).to_be_visible()
    await date_input.fill("11/30/2026")
    await page.get_by_test_id("history-search").click()
    await expect(form.locator('.field-error[data-error-for="from"]')).to_be_visible()
    await screenshot(page, "history-dates")


async def test_alert_cards_name_the_rule_in_words(open_page, gql) -> None:  # noqa: ANN001
    from app.risk.alerts import raise_alert

    officer = await make_staff("RISK_OFFICER")
    user = await make_user()
    await raise_alert("PAYMENT_PASSWORD_ATTEMPTS", "MEDIUM", "用户 138****0001 连续 5 次输错支付密码，支付已锁定 24 小时",
                      user_id=user.id)
    page = await open_page(token=token_for(officer))
    await open_screen(page, "staff/alerts")
    card = page.locator("[data-testid=alert-item][data-type=PAYMENT_PASSWORD_ATTEMPTS]")
    await expect(card.get_by_test_id("alert-type")).to_have_text("支付密码多次错误")
    await screenshot(page, "staff-alert-labels")
