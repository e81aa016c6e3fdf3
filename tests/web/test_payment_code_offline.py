"""The wallet derives the payment code itself (WebCrypto, RFC 6238) from the secret it keeps on
the device, and draws it as QR and Code 128 with vendored libraries: with the network cut the
code still rotates and a till charges it; once disabled, the device's codes are refused."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyotp
from playwright.async_api import expect

from tests.factories import DEFAULT_PIN, fund, make_user, token_for
from tests.harness.graphql import user_error_codes
from tests.merchant_platform.core_support import CHARGE, DISABLE_CODE, key_auth

from .browser import open_screen, screenshot
from .setup import create_merchant

ROOT = Path(__file__).resolve().parents[2]
CODE_IMAGES = ROOT / "web" / "js" / "codeimages.js"
CREATE_KEY = """mutation($input: CreateMerchantApiKeyInput!) { createMerchantApiKey(input: $input) { secret errors { code } } }"""


async def _pause_one_step_ahead_of_the_server(page) -> int:  # noqa: ANN001
    """Move the paused page clock to 30 s after real time: the page derives the code of the step
    after the server's current one, which a till accepts (+-1 step) whenever the real clock
    crossed a step boundary while the test ran. Answers the page's step."""
    page_ms = await page.evaluate("Date.now()")
    while time.time() * 1000 < page_ms:  # the page was paused up to 1 s ahead of real time
        await asyncio.sleep(0.05)
    target = datetime.now(UTC) + timedelta(seconds=30)
    await page.clock.pause_at(target)
    return int(target.timestamp()) // 30


def _vendored() -> dict[str, str]:
    """src -> sha384 integrity, as web/js/codeimages.js loads them."""
    text = CODE_IMAGES.read_text(encoding="utf-8")
    pairs = re.findall(r'src: "([^"]+)",\s*integrity: "([^"]+)"', text)
    assert len(pairs) == 2, pairs
    return dict(pairs)


def test_the_vendored_drawing_libraries_are_the_pinned_npm_files_with_their_licences(web_server) -> None:  # noqa: ANN001
    for src, integrity in _vendored().items():
        served = httpx.get(f"{web_server.http_url}{src}", timeout=10)
        assert served.status_code == 200, src
        # byte for byte the npm release the README names (the browser checks the same digest)
        assert "sha384-" + base64.b64encode(hashlib.sha384(served.content).digest()).decode() == integrity
        folder = ROOT / "web" / Path(src.lstrip("/")).parent
        assert integrity.removeprefix("sha384-") in (folder / "README.md").read_text(encoding="utf-8"), src
        licence = httpx.get(f"{web_server.http_url}{Path(src).parent}/LICENSE", timeout=10)
        assert licence.status_code == 200 and "Permission is hereby granted" in licence.text, src


async def test_the_javascript_totp_equals_pyotp(open_page) -> None:  # noqa: ANN001
    page = await open_page()
    await page.goto("/")
    secrets = [pyotp.random_base32() for _ in range(3)]
    steps = [0, 1, 59_000_000, 2**32 + 5]
    derived = await page.evaluate(
        """async ([secrets, steps]) => {
          const { hmacKey, hotp } = await import("/js/totp.js");
          const out = [];
          for (const secret of secrets) {
            const key = await hmacKey(secret);
            for (const step of steps) out.push(await hotp(key, step, 8));
          }
          return out;
        }""",
        [secrets, steps],
    )
    assert derived == [pyotp.TOTP(s, digits=8, interval=30).generate_otp(step) for s in secrets for step in steps]


async def _device_record(page) -> dict:  # noqa: ANN001
    return await page.evaluate(
        "() => Object.fromEntries(Object.entries(localStorage).filter(([k]) => k.startsWith('fenpay.paycode.'))"
        ".map(([k, v]) => [k, JSON.parse(v)]))")


async def _digits(page) -> str:  # noqa: ANN001
    return ((await page.get_by_test_id("pay-code-digits").text_content()) or "").replace(" ", "")


async def test_offline_the_code_rotates_and_a_till_charges_it_until_disabled(
    open_page, require, gql, web_server  # noqa: ANN001
) -> None:
    require("enablePaymentCode", "chargePaymentCode")
    owner = await make_user()
    merchant_no = await create_merchant(gql, owner.phone, name="夜市小吃")
    key = await gql.mutate(CREATE_KEY, {"input": {
        "merchantNo": merchant_no, "name": "till", "scopes": ["ORDERS"], "paymentPassword": DEFAULT_PIN}},
        token=token_for(owner))
    payer = await make_user()
    await fund(payer, 500_00)

    wallet = await open_page(token=token_for(payer), phone=payer.phone)
    await wallet.clock.install()
    await open_screen(wallet, "pay-code")
    # The page's time stands still (near the server's real time) until the test moves it on.
    await wallet.clock.pause_at(datetime.now(UTC) + timedelta(seconds=1))
    await wallet.get_by_test_id("pay-code-enable").get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await wallet.get_by_test_id("pay-code-enable-submit").click()
    shown = wallet.get_by_test_id("pay-code")
    await expect(shown).to_have_attribute("data-source", "device")
    await expect(wallet.get_by_test_id("pay-code-qr")).to_be_visible()
    await expect(wallet.get_by_test_id("pay-code-barcode")).to_be_visible()
    (record,) = (await _device_record(wallet)).values()
    totp = pyotp.TOTP(record["secret"], digits=8, interval=30)
    step = int(await shown.get_attribute("data-step") or "0")
    assert await _digits(wallet) == record["prefix"] + totp.generate_otp(step)

    async def charge(code: str, out_trade_no: str) -> dict:
        # the till is online; only the payer's device is cut off
        async with httpx.AsyncClient(base_url=web_server.http_url, timeout=30) as till:
            response = await till.post("/graphql", headers=key_auth(key["secret"]), json={
                "query": CHARGE, "variables": {"input": {"code": code, "amount": "12.00", "outTradeNo": out_trade_no}}})
        return response.json()["data"]["chargePaymentCode"]

    await wallet.context.set_offline(True)
    # a later step: a new code, derived without the server
    offline_step = await _pause_one_step_ahead_of_the_server(wallet)
    assert offline_step > step
    await expect(shown).to_have_attribute("data-step", str(offline_step))
    offline_code = await _digits(wallet)
    assert offline_code == record["prefix"] + totp.generate_otp(offline_step)
    await expect(wallet.get_by_test_id("pay-code-qr")).to_be_visible()
    await screenshot(wallet, "payment-code-offline")
    paid = await charge(offline_code, "OFF-1")
    assert paid["errors"] == [] and paid["order"]["status"] == "PAID", paid

    # Disabled (from another device): the secret this device keeps now yields refused codes.
    off = await gql.mutate(DISABLE_CODE, {"pin": DEFAULT_PIN}, token=token_for(payer))
    assert off["errors"] == []
    await wallet.clock.fast_forward("00:30")
    await expect(shown).to_have_attribute("data-step", str(offline_step + 1))
    refused = await charge(await _digits(wallet), "OFF-2")
    assert user_error_codes(refused) == ["PAYMENT_CODE_INVALID"]

    # Back online, the screen learns the code is off and forgets the device's copy.
    await wallet.context.set_offline(False)
    await open_screen(wallet, "home")
    await open_screen(wallet, "pay-code")
    await expect(shown).to_have_attribute("data-source", "off")
    assert await _device_record(wallet) == {}

    # Signing out forgets the secret too.
    await wallet.get_by_test_id("pay-code-enable").get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await wallet.get_by_test_id("pay-code-enable-submit").click()
    await expect(shown).to_have_attribute("data-source", "device")
    assert len(await _device_record(wallet)) == 1
    await wallet.get_by_test_id("sign-out").click()
    await wallet.get_by_test_id("screen-login").wait_for()
    assert await _device_record(wallet) == {}
