"""The app shell: served at /, API routes first, language switch, error messages, static rules."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import expect
from starlette.routing import Mount

from app.errors import ErrorCode
from app.http.asgi import WEB_DIR, create_app

from .browser import open_screen, screenshot

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = WEB_DIR / "js"


def dictionary_keys(language: str) -> set[str]:
    """Keys of lang/<language>.js and of the feature dictionaries merged into it (lang/*.<language>.js)."""
    keys: set[str] = set()
    for path in (JS_DIR / "lang").glob(f"*{language}.js"):
        keys |= set(re.findall(r'"([A-Za-z]+\.[A-Za-z0-9_.]+)":', path.read_text(encoding="utf-8")))
    return keys


def error_codes() -> set[str]:
    """The platform's codes, plus the public contract's when it lies beside the checkout."""
    codes = {code.value for code in ErrorCode}
    for contract in (ROOT.parent / "shared" / "contract.graphql", ROOT.parents[1] / "shared" / "contract.graphql"):
        if contract.exists():
            block = re.search(r"enum ErrorCode \{(.*?)\}", contract.read_text(encoding="utf-8"), re.S)
            codes |= set(re.findall(r"^\s*([A-Z_]+)\s*$", block.group(1), re.M))
    return codes


def test_static_app_is_mounted_after_every_api_route(platform) -> None:  # noqa: ANN001
    app = create_app(platform.settings, manage_runtime=False)
    mounts = [index for index, route in enumerate(app.routes) if isinstance(route, Mount) and route.path == ""]
    assert mounts == [len(app.routes) - 1], "the web/ mount must be the last route so the API wins"
    paths = {getattr(route, "path", None) for route in app.routes}
    assert {"/graphql", "/health", "/sandbox/messages"} <= paths


def test_api_routes_still_answer_with_the_app_mounted(web_server) -> None:  # noqa: ANN001
    base = web_server.http_url
    page = httpx.get(f"{base}/")
    assert page.status_code == 200
    assert '<script type="module" src="/js/main.js">' in page.text
    assert httpx.get(f"{base}/js/main.js").headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert httpx.get(f"{base}/health").json()["mode"] == "sandbox"
    assert httpx.post(f"{base}/graphql", json={"query": "{ viewer { id } }"}).json() == {"data": {"viewer": None}}
    assert httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}).text.lower().count("graphiql") > 0
    assert httpx.get(f"{base}/sandbox/messages", params={"recipient": "13800000000"}).json() == []
    assert httpx.get(f"{base}/js/no-such-module.js").status_code == 404


def test_every_error_code_has_a_chinese_and_an_english_message() -> None:
    codes = error_codes()
    assert len(codes) >= 35, codes
    for language in ("zh", "en"):
        keys = dictionary_keys(language)
        missing = sorted(code for code in codes if f"error.{code}" not in keys)
        assert not missing, f"{language}: no message for {missing}"


def test_both_languages_have_the_same_keys_and_every_used_key_exists() -> None:
    zh, en = dictionary_keys("zh"), dictionary_keys("en")
    assert zh == en, sorted(zh ^ en)
    used = set()
    for path in JS_DIR.rglob("*.js"):
        used |= set(re.findall(r'\bt\("([^"]+)"', path.read_text(encoding="utf-8")))
    assert used, "no translated strings found"
    assert not sorted(used - zh), sorted(used - zh)


def test_client_never_does_float_arithmetic_on_money() -> None:
    offenders = []
    for path in JS_DIR.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        for pattern in ("parseFloat", "toFixed", "Number(", "Math.round"):
            if pattern in text:
                offenders.append(f"{path.relative_to(WEB_DIR)}: {pattern}")
    assert not offenders, offenders


async def test_app_loads_in_chinese_and_switches_to_english(open_page) -> None:  # noqa: ANN001
    page = await open_page()
    await page.goto("/")
    await expect(page.get_by_test_id("screen-login")).to_be_visible()
    await expect(page.locator("h1")).to_have_text("登录 fenpay")
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    await screenshot(page, "login")
    await page.get_by_test_id("lang-switch").click()
    await expect(page.locator("h1")).to_have_text("Sign in to fenpay")
    await expect(page.get_by_test_id("nav-register")).to_have_text("Register")
    await page.reload()
    await expect(page.locator("h1")).to_have_text("Sign in to fenpay")  # the choice is remembered
    await page.get_by_test_id("lang-switch").click()
    await expect(page.locator("h1")).to_have_text("登录 fenpay")


async def test_signed_in_screens_send_a_stranger_to_sign_in(open_page) -> None:  # noqa: ANN001
    page = await open_page()
    await page.goto("/#/history")
    await expect(page.get_by_test_id("screen-login")).to_be_visible()
    assert page.url.endswith("#/login")


async def test_field_errors_show_next_to_the_field_in_both_languages(open_page) -> None:  # noqa: ANN001
    page = await open_page()
    await open_screen(page, "register")
    form = page.get_by_test_id("register-form")
    await form.get_by_test_id("input-phone").fill("12345")
    await page.get_by_test_id("register-submit").click()
    phone_error = form.get_by_test_id("error-phone")
    await expect(phone_error).to_have_attribute("data-error-code", "VALIDATION_FAILED")
    await form.get_by_test_id("input-phone").fill("13800000000")
    await form.get_by_test_id("input-verificationCode").fill("123456")
    await form.get_by_test_id("input-password").fill("Abc!2345xy")
    await form.get_by_test_id("input-confirmPassword").fill("Abc!2345xz")
    await page.get_by_test_id("register-submit").click()
    mismatch = form.get_by_test_id("error-confirmPassword")
    await expect(mismatch).to_have_attribute("data-error-code", "PASSWORD_MISMATCH")
    await expect(mismatch).to_contain_text("两次输入的密码不一致")
    await expect(phone_error).to_be_empty()
    await page.get_by_test_id("lang-switch").click()
    await page.get_by_test_id("register-form").get_by_test_id("input-phone").fill("1")
    await page.get_by_test_id("register-submit").click()
    await expect(page.get_by_test_id("register-form").get_by_test_id("error-phone")).to_contain_text("Please check this input")


async def test_amounts_are_checked_by_format_before_anything_is_sent(open_page, web_server) -> None:  # noqa: ANN001
    from tests.factories import make_user, token_for

    user = await make_user()
    page = await open_page(token=token_for(user))
    sent = []
    page.on("request", lambda request: sent.append(request.post_data or "") if request.url.endswith("/graphql") else None)
    await open_screen(page, "topup")
    form = page.get_by_test_id("topup-form")
    for bad in ("1e3", "10.001", "-5", " ", "NaN"):
        await form.get_by_test_id("input-amount").fill(bad)
        await page.get_by_test_id("topup-submit").click()
        await expect(form.get_by_test_id("error-amount")).to_have_attribute("data-error-code", "INVALID_AMOUNT")
    assert not [body for body in sent if "topUp" in body]
