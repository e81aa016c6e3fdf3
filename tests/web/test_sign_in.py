"""Signing in by phone or email, signing out, and a session kept alive by refreshSession."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import DEFAULT_PASSWORD, make_user

from .browser import open_screen
from .setup import masked


async def sign_in(page, identifier: str, password: str = DEFAULT_PASSWORD) -> None:  # noqa: ANN001
    await open_screen(page, "login")
    form = page.get_by_test_id("login-form")
    await form.get_by_test_id("input-identifier").fill(identifier)
    await form.get_by_test_id("input-password").fill(password)
    await page.get_by_test_id("login-submit").click()


async def test_sign_in_by_phone_and_by_email_and_sign_out(open_page, require) -> None:  # noqa: ANN001
    require("login", "logout")
    user = await make_user(email="xiaoming@example.cn")
    page = await open_page()
    await sign_in(page, user.phone)
    await expect(page.get_by_test_id("screen-home")).to_be_visible()
    await expect(page.get_by_test_id("who")).to_have_text(masked(user.phone))
    await page.get_by_test_id("sign-out").click()
    await expect(page.get_by_test_id("screen-login")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('fenpay.session')") is None

    await sign_in(page, "xiaoming@example.cn")
    await expect(page.get_by_test_id("screen-home")).to_be_visible()
    await expect(page.get_by_test_id("who")).to_have_text(masked(user.phone))


async def test_wrong_password_is_explained(open_page, require) -> None:  # noqa: ANN001
    require("login")
    user = await make_user()
    page = await open_page()
    await sign_in(page, user.phone, "Wrong!pass123")
    error = page.get_by_test_id("login-form").locator("[data-error-code=INVALID_CREDENTIALS]")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("账号或密码错误")
    await expect(page.get_by_test_id("screen-login")).to_be_visible()


async def test_an_expired_access_token_is_refreshed_without_signing_out(open_page, require) -> None:  # noqa: ANN001
    require("login", "refreshSession", "balanceChanged")
    user = await make_user()
    page = await open_page()
    await sign_in(page, user.phone)
    await expect(page.get_by_test_id("screen-home")).to_be_visible()
    before = await page.evaluate("JSON.parse(sessionStorage.getItem('fenpay.session'))")
    await page.evaluate("""() => {
      const state = JSON.parse(sessionStorage.getItem('fenpay.session'));
      state.accessToken = 'expired.' + state.accessToken.slice(8);
      sessionStorage.setItem('fenpay.session', JSON.stringify(state));
    }""")
    await page.reload()
    await expect(page.get_by_test_id("screen-home")).to_be_visible()
    await expect(page.get_by_test_id("balance-live")).to_have_attribute("data-live", "on")
    after = await page.evaluate("JSON.parse(sessionStorage.getItem('fenpay.session'))")
    assert after["accessToken"] != before["accessToken"]
    assert after["refreshToken"] != before["refreshToken"]  # rotated on use
