"""The user's own controls in the web app (issue 21): the dynamic token's enrolment, sign-in
and payment prompts; the monthly statement with its charts and CSV export; the personal data
export and account closure; saved payees and recent recipients on the transfer screen."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import expect

from app import clock
from app.ledger.accounts import wallet_of
from app.statements import pdf_font
from models import User
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    fund,
    latest_code,
    make_merchant,
    make_user,
    token_for,
    wallet_balance,
)
from tests.payments.support import PAY, TRANSFER
from tests.self_service.totp_steps import code_now, enroll

from .browser import open_screen, screenshot
from .test_sign_in import sign_in

ROOT = Path(__file__).resolve().parents[2]
CHINA = timezone(timedelta(hours=8))
VIEWER_TOTP = "{ viewer { totpEnabled } }"
STATEMENT = """query($month: String!) { monthlyStatement(month: $month) {
  openingBalance closingBalance income spending byType { key spending } topMerchants { key spending } } }"""
PAYEES = "{ payees { alias accountNo } }"
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { auth { accessToken } errors { code } } }"""


def _pay(merchant_no: str, amount: str, key: str) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}}


def _transfer(recipient: str, amount: str, key: str) -> dict:
    return {"input": {"recipient": recipient, "amount": amount, "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}}


def _china_month(back: int) -> tuple[str, datetime]:
    """("YYYY-MM", noon on its 15th in UTC) of the China month ``back`` months before this one."""
    today = datetime.now(CHINA)
    index = today.year * 12 + today.month - 1 - back
    year, month = divmod(index, 12)
    return f"{year}-{month + 1:02d}", datetime(year, month + 1, 15, 12, tzinfo=CHINA).astimezone(UTC)


async def _download(base: str, url: str) -> httpx.Response:
    link = urlsplit(url)
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        return await http.get(f"{link.path}?{link.query}")  # signed link: no token


# ---------------------------------------------------------------- dynamic token


async def test_enrolling_the_dynamic_token_then_signing_in_with_it_and_turning_it_off(open_page, require, gql) -> None:  # noqa: ANN001
    require("beginTotpEnrollment", "confirmTotpEnrollment", "disableTotp", "login")
    user = await make_user()
    page = await open_page(token=token_for(user), phone=user.phone)
    await open_screen(page, "security")
    card = page.get_by_test_id("totp-card")
    await expect(card.get_by_test_id("totp-status")).to_have_attribute("data-enabled", "no")

    begin = card.get_by_test_id("totp-begin-form")
    await begin.get_by_test_id("input-password").fill("Wrong!pass123")
    await card.get_by_test_id("totp-begin-submit").click()
    await expect(begin.locator("[data-error-code=INVALID_CREDENTIALS]")).to_be_visible()
    await begin.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await card.get_by_test_id("totp-begin-submit").click()
    qr = card.get_by_test_id("totp-qr")
    await expect(qr).to_be_visible()
    assert (await qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    secret = (await card.get_by_test_id("totp-secret").inner_text()).strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    await screenshot(page, "totp-enrol")

    confirm = card.get_by_test_id("totp-confirm-form")
    await confirm.get_by_test_id("input-code").fill(code_now(secret, 3))  # not a code of now
    await card.get_by_test_id("totp-confirm-submit").click()
    await expect(confirm.locator("[data-error-code=INVALID_TOTP_CODE]")).to_be_visible()
    assert (await gql.ok(VIEWER_TOTP, token=token_for(user)))["viewer"]["totpEnabled"] is False
    await confirm.get_by_test_id("input-code").fill(code_now(secret))
    await card.get_by_test_id("totp-confirm-submit").click()
    codes = card.get_by_test_id("recovery-code")
    await expect(codes).to_have_count(10)
    recovery = [text.strip() for text in await codes.all_inner_texts()]
    assert len(set(recovery)) == 10
    await expect(card.get_by_test_id("totp-status")).to_have_attribute("data-enabled", "yes")
    await expect(card.get_by_test_id("totp-status")).to_have_text("已开启动态令牌")
    assert (await gql.ok(VIEWER_TOTP, token=token_for(user)))["viewer"]["totpEnabled"] is True
    await screenshot(page, "totp-recovery-codes")

    # Signing in now asks for the code (the confirming code is spent: the next step's is accepted).
    guest = await open_page()
    await sign_in(guest, user.phone)
    login = guest.get_by_test_id("login-form")
    await expect(guest.get_by_test_id("login-totp")).to_be_visible()
    await expect(login.locator("[data-error-code=TOTP_REQUIRED]")).to_be_visible()
    await expect(guest.get_by_test_id("screen-login")).to_be_visible()
    await screenshot(guest, "totp-login")
    await login.get_by_test_id("input-totpCode").fill(code_now(secret, 1))
    await guest.get_by_test_id("login-submit").click()
    await expect(guest.get_by_test_id("screen-home")).to_be_visible()

    # Off again with the password and a recovery code; then sign-in needs no code.
    await open_screen(guest, "security")
    disable = guest.get_by_test_id("totp-disable-form")
    await disable.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await disable.get_by_test_id("input-code").fill(recovery[0])
    await guest.get_by_test_id("totp-disable-submit").click()
    await expect(guest.get_by_test_id("totp-disabled")).to_be_visible()
    await expect(guest.get_by_test_id("totp-status")).to_have_attribute("data-enabled", "no")
    assert (await gql.ok(VIEWER_TOTP, token=token_for(user)))["viewer"]["totpEnabled"] is False
    signed = await gql.mutate(LOGIN, {"input": {"identifier": user.phone, "password": DEFAULT_PASSWORD}})
    assert signed["errors"] == [] and signed["auth"]["accessToken"]


async def test_a_large_transfer_steps_up_with_the_authenticator_code(open_page, require, gql) -> None:  # noqa: ANN001
    require("transfer", "confirmTotpEnrollment")
    sender, receiver = await make_user(), await make_user()
    secret, _ = await enroll(gql, sender)
    await fund(sender, 10_000_00)
    page = await open_page(token=token_for(sender), phone=sender.phone)
    await open_screen(page, "transfer")
    form = page.get_by_test_id("transfer-form")
    await form.get_by_test_id("input-recipient").fill(receiver.phone)
    await form.get_by_test_id("input-amount").fill("6000")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("transfer-submit").click()
    await expect(form.locator("[data-error-code=VERIFICATION_REQUIRED]")).to_be_visible()
    await expect(page.get_by_test_id("step-up")).to_be_visible()
    await expect(page.get_by_test_id("step-up-totp")).to_be_visible()
    await form.get_by_test_id("input-verificationCode").fill(code_now(secret, 1))
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("transfer-submit").click()
    await expect(page.get_by_test_id("transfer-done")).to_have_attribute("data-status", "SUCCEEDED")
    assert await wallet_balance(receiver) == (6_000_00, 0)
    assert await wallet_balance(sender) == (4_000_00, 0)


# ---------------------------------------------------------------- monthly statement


def _chart_js_integrity() -> str:
    text = (ROOT / "web" / "js" / "charts.js").read_text(encoding="utf-8")
    match = re.search(r'CHART_JS_INTEGRITY = "(sha384-[A-Za-z0-9+/=]+)"', text)
    assert match, "charts.js names no sha384 integrity"
    return match.group(1)


async def test_the_chart_library_is_served_by_fenpay_as_the_pinned_npm_release(web_server) -> None:  # noqa: ANN001
    integrity = _chart_js_integrity()
    async with httpx.AsyncClient(base_url=web_server.http_url, timeout=30) as http:
        served = await http.get("/vendor/chart.js/chart.umd.min.js")
        licence = await http.get("/vendor/chart.js/LICENSE.md")
    assert served.status_code == 200 and served.content.startswith(b"/*!\n * Chart.js v4.5.0")
    assert "sha384-" + base64.b64encode(hashlib.sha384(served.content).digest()).decode() == integrity
    assert licence.status_code == 200 and "MIT License" in licence.text
    readme = (ROOT / "web" / "vendor" / "chart.js" / "README.md").read_text(encoding="utf-8")
    assert integrity.removeprefix("sha384-") in readme and "4.5.0" in readme


async def _chart(page, testid: str) -> dict:  # noqa: ANN001
    """What Chart.js holds for the canvas (labels and each series), read from the library itself."""
    return await page.evaluate("""(testid) => {
      const chart = Chart.getChart(document.querySelector(`[data-testid=${testid}]`));
      return chart ? { type: chart.config.type, labels: chart.data.labels,
        series: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) } : null;
    }""", testid)


async def test_monthly_statement_with_charts_and_csv_and_pdf_exports(open_page, require, gql, web_server) -> None:  # noqa: ANN001
    require("monthlyStatement", "statementExport", "pay", "transfer")
    coffee, _ = await make_merchant("街角咖啡")
    alice, bob = await make_user(), await make_user()
    token = token_for(alice)
    earlier, earlier_at = _china_month(2)
    this_month, _ = _china_month(0)
    clock.set_now(earlier_at)
    await fund(alice, 300_00)
    assert (await gql.mutate(PAY, _pay(coffee.merchant_no, "20.00", "web-st-1"), token=token))["errors"] == []
    clock.set_now(None)
    await fund(alice, 200_00)
    assert (await gql.mutate(PAY, _pay(coffee.merchant_no, "12.34", "web-st-2"), token=token))["errors"] == []
    assert (await gql.mutate(TRANSFER, _transfer(bob.phone, "5.00", "web-st-3"), token=token))["errors"] == []

    page = await open_page(token=token, phone=alice.phone)
    await open_screen(page, "statement")
    figures = page.get_by_test_id("monthly-figures")
    await expect(figures).to_have_attribute("data-month", this_month)
    api = (await gql.ok(STATEMENT, {"month": this_month}, token=token))["monthlyStatement"]
    assert (api["openingBalance"], api["income"], api["spending"], api["closingBalance"]) == ("280.00", "200.00", "17.34", "462.66")
    await expect(page.get_by_test_id("monthly-opening")).to_have_text("¥280.00")
    await expect(page.get_by_test_id("monthly-income")).to_have_text("¥200.00")
    await expect(page.get_by_test_id("monthly-spending")).to_have_text("¥17.34")
    await expect(page.get_by_test_id("monthly-closing")).to_have_text("¥462.66")
    by_type = page.get_by_test_id("monthly-by-type")
    await expect(by_type.locator("[data-key=PAYMENT]")).to_contain_text("付款")
    await expect(by_type.locator("[data-key=PAYMENT]")).to_contain_text("¥12.34")
    await expect(by_type.locator("[data-key=TRANSFER]")).to_contain_text("¥5.00")
    await expect(page.get_by_test_id("monthly-top-merchants-row")).to_have_count(1)
    await expect(page.get_by_test_id("monthly-top-merchants-row")).to_contain_text("街角咖啡")

    # Charts drawn by the vendored Chart.js from the six months ending at the picked one.
    await expect(page.get_by_test_id("monthly-body")).to_have_attribute("data-charts", "drawn")
    spending = await _chart(page, "chart-spending")
    assert spending["type"] == "bar" and spending["labels"][-1] == this_month and spending["labels"][-3] == earlier
    series = {s["label"]: s["data"] for s in spending["series"]}
    assert series["付款"][-3:] == ["20.00", "0.00", "12.34"] and series["转账"][-3:] == ["0.00", "0.00", "5.00"]
    balance = await _chart(page, "chart-balance")
    assert balance["type"] == "line" and balance["series"][0]["data"][-3:] == ["280.00", "280.00", "462.66"]
    assert balance["series"][0]["data"][0] == "0.00"
    # the library drew them: the bars' parsed heights on its y scale
    heights = await page.evaluate("""() => {
      const chart = Chart.getChart(document.querySelector('[data-testid=chart-spending]'));
      const meta = chart.getDatasetMeta(0);
      return meta.data.map((bar, index) => meta.controller.getParsed(index).y);
    }""")
    assert heights[-3:] == [20, 0, 12.34]
    await screenshot(page, "monthly-statement")

    # An earlier month, picked from the list (kept in the route).
    await page.get_by_test_id("monthly-form").get_by_test_id("input-month").select_option(earlier)
    await page.get_by_test_id("monthly-submit").click()
    await expect(page.get_by_test_id("monthly-figures")).to_have_attribute("data-month", earlier)
    assert page.url.endswith(f"#/statement/{earlier}")
    await expect(page.get_by_test_id("monthly-opening")).to_have_text("¥0.00")
    await expect(page.get_by_test_id("monthly-spending")).to_have_text("¥20.00")
    await expect(page.get_by_test_id("monthly-closing")).to_have_text("¥280.00")

    # CSV of the whole period, through the signed link the screen shows.
    export = page.get_by_test_id("monthly-export-form")
    await export.get_by_test_id("input-from").fill("2026-13-01")
    await page.get_by_test_id("monthly-export-submit").click()
    # a date the client's format check lets through is refused by the API (a GraphQL error)
    await expect(export.get_by_test_id("monthly-export-form-error")).to_have_attribute("data-error-code", "VALIDATION_FAILED")
    await expect(page.get_by_test_id("monthly-csv")).to_have_count(0)
    await export.get_by_test_id("input-from").fill(f"{earlier}-01")
    await export.get_by_test_id("input-to").fill(datetime.now(CHINA).date().isoformat())
    await page.get_by_test_id("monthly-export-submit").click()
    csv_url = await page.get_by_test_id("monthly-csv").get_attribute("href")
    assert csv_url
    download = await _download(web_server.http_url, csv_url)
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    text = "\n".join(",".join(row) for row in rows)
    assert "12.34" in text and "20.00" in text and "5.00" in text and bob.phone not in text

    # The same period as PDF (Chinese text, rendered by the server with its CJK font).
    await page.get_by_test_id("monthly-export-pdf").click()
    if not os.environ.get("FENPAY_STATEMENT_PDF_FONT") and not any(p.is_file() for p in pdf_font.DEFAULT_PATHS):
        await expect(export.get_by_test_id("monthly-export-form-error")).to_have_attribute("data-error-code", "PDF_UNAVAILABLE")
        return
    pdf_url = await page.get_by_test_id("monthly-pdf").get_attribute("href")
    assert pdf_url and pdf_url != csv_url
    await expect(page.get_by_test_id("monthly-csv")).to_have_count(0)
    document = await _download(web_server.http_url, pdf_url)
    assert document.status_code == 200 and document.content.startswith(b"%PDF-")
    assert document.headers["content-type"].startswith("application/pdf")


# ---------------------------------------------------------------- privacy


async def test_personal_data_export_and_closure_refused_while_money_remains(open_page, require, gql, web_server) -> None:  # noqa: ANN001
    require("exportMyData", "closeAccount", "accountClosureObligations")
    user, other = await make_user(), await make_user()
    await fund(user, 10_00)
    await fund(other, 10_00)
    page = await open_page(token=token_for(user), phone=user.phone)
    await open_screen(page, "security")  # reached from the security centre
    await page.get_by_test_id("to-privacy").click()
    await expect(page.get_by_test_id("screen-privacy")).to_be_visible()

    export = page.get_by_test_id("data-export-form")
    await export.get_by_test_id("input-password").fill("Wrong!pass123")
    await page.get_by_test_id("data-export-submit").click()
    await expect(export.locator("[data-error-code=INVALID_CREDENTIALS]")).to_be_visible()
    await expect(page.get_by_test_id("data-export-link")).to_have_count(0)
    await export.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await page.get_by_test_id("data-export-submit").click()
    url = await page.get_by_test_id("data-export-link").get_attribute("href")
    assert url
    archive = await _download(web_server.http_url, url)
    assert archive.status_code == 200
    data = json.dumps(archive.json(), ensure_ascii=False)
    assert user.phone in data and other.phone not in data

    obligations = page.get_by_test_id("closure-obligations").get_by_test_id("obligation")
    await expect(obligations).to_have_count(1)
    await expect(obligations).to_have_attribute("data-obligation", "BALANCE")
    await expect(obligations).to_contain_text("余额")
    close = page.get_by_test_id("close-account-form")
    await close.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await close.get_by_test_id("input-verificationCode").fill("123456")
    await page.get_by_test_id("close-account-submit").click()
    await expect(close.get_by_test_id("error-understood")).not_to_be_empty()
    await close.get_by_test_id("input-understood").check()
    await close.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await close.get_by_test_id("input-verificationCode").fill("123456")
    await page.get_by_test_id("close-account-submit").click()
    await expect(close.locator("[data-error-code=ACCOUNT_HAS_OBLIGATIONS]")).to_be_visible()
    await expect(page.get_by_test_id("screen-privacy")).to_be_visible()
    await screenshot(page, "privacy-closure-refused")
    assert (await User.get(id=user.id)).status != "CLOSED"
    assert await wallet_balance(user) == (10_00, 0)


def test_every_obligation_the_api_can_name_has_words_in_both_languages() -> None:
    """The closure screen lists each obligation by its label: a new enum value needs one."""
    schema = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    block = re.search(r"enum AccountObligation \{([^}]*)\}", schema)
    assert block, "schema.graphql has no AccountObligation enum"
    values = re.findall(r"^\s*([A-Z_]+)\s*$", block.group(1), re.M)
    assert "BALANCE" in values and "OPEN_TICKETS" in values, values
    for language in ("zh", "en"):
        text = (ROOT / "web" / "js" / "lang" / f"{language}.js").read_text(encoding="utf-8")
        missing = [v for v in values if f'"enum.AccountObligation.{v}"' not in text]
        assert not missing, f"{language}.js lacks labels for obligations {missing}"


async def test_closing_an_account_with_an_sms_code_signs_out_for_good(open_page, require, gql) -> None:  # noqa: ANN001
    require("closeAccount", "requestVerificationCode", "accountClosureObligations")
    user = await make_user()
    page = await open_page(token=token_for(user), phone=user.phone)
    await open_screen(page, "privacy")
    await expect(page.get_by_test_id("closure-clear")).to_be_visible()
    close = page.get_by_test_id("close-account-form")
    await close.get_by_test_id("send-code-verificationCode").click()
    await expect(page.get_by_test_id("dev-sms-recipient")).to_have_text(user.phone)
    code = await latest_code(user.phone, "CLOSE_ACCOUNT")
    await close.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await close.get_by_test_id("input-verificationCode").fill(code)
    await close.get_by_test_id("input-understood").check()
    await page.get_by_test_id("close-account-submit").click()
    await expect(page.get_by_test_id("screen-login")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('fenpay.session')") is None
    assert (await User.get(id=user.id)).status == "CLOSED"
    refused = await gql.mutate(LOGIN, {"input": {"identifier": user.phone, "password": DEFAULT_PASSWORD}})
    assert refused["auth"] is None and refused["errors"]


async def test_closing_an_account_with_the_authenticator_code(open_page, require, gql) -> None:  # noqa: ANN001
    require("closeAccount", "confirmTotpEnrollment")
    user = await make_user()
    secret, _ = await enroll(gql, user)
    page = await open_page(token=token_for(user), phone=user.phone)
    await open_screen(page, "privacy")
    await expect(page.get_by_test_id("close-totp")).to_be_visible()
    close = page.get_by_test_id("close-account-form")
    await close.get_by_test_id("input-understood").check()
    await close.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await close.get_by_test_id("input-verificationCode").fill(code_now(secret, -5))  # long past: refused
    await page.get_by_test_id("close-account-submit").click()
    await expect(close.get_by_test_id("error-verificationCode")).not_to_be_empty()
    assert (await User.get(id=user.id)).status != "CLOSED"
    await close.get_by_test_id("input-password").fill(DEFAULT_PASSWORD)
    await close.get_by_test_id("input-verificationCode").fill(code_now(secret, 1))
    await page.get_by_test_id("close-account-submit").click()
    await expect(page.get_by_test_id("screen-login")).to_be_visible()
    assert (await User.get(id=user.id)).status == "CLOSED"


# ---------------------------------------------------------------- payees


async def test_transfer_screen_picks_saved_payees_and_recent_recipients(open_page, require, gql) -> None:  # noqa: ANN001
    require("payees", "addPayee", "removePayee", "recentRecipients", "transfer")
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    bob_no = (await wallet_of(bob.id)).account_no
    carol_no = (await wallet_of(carol.id)).account_no
    await fund(alice, 100_00)
    token = token_for(alice)
    assert (await gql.mutate(TRANSFER, _transfer(bob.phone, "3.00", "web-payee-1"), token=token))["errors"] == []

    page = await open_page(token=token, phone=alice.phone)
    await open_screen(page, "transfer")
    await expect(page.get_by_test_id("payee-none")).to_be_visible()
    recent = page.get_by_test_id("recent")
    await expect(recent).to_have_count(1)
    await expect(recent).to_have_attribute("data-account-no", bob_no)
    await expect(recent).to_contain_text("¥3.00")
    form = page.get_by_test_id("transfer-form")
    await recent.get_by_test_id("recent-pick").click()
    await expect(form.get_by_test_id("input-recipient")).to_have_value(bob_no)

    add = page.get_by_test_id("payee-form")
    await add.get_by_test_id("input-payeeRecipient").fill("123")
    await page.get_by_test_id("payee-add-submit").click()
    await expect(add.get_by_test_id("error-payeeRecipient")).not_to_be_empty()
    await add.get_by_test_id("input-payeeRecipient").fill(carol.phone)
    await add.get_by_test_id("input-alias").fill("小卡")
    await page.get_by_test_id("payee-add-submit").click()
    payees = page.get_by_test_id("payee")
    await expect(payees).to_have_count(1)
    await expect(payees).to_contain_text("小卡")
    await recent.get_by_test_id("recent-save").click()
    await expect(payees).to_have_count(2)
    saved = {p["accountNo"]: p["alias"] for p in (await gql.ok(PAYEES, token=token))["payees"]}
    assert saved == {carol_no: "小卡", bob_no: None}
    await screenshot(page, "transfer-payees")

    await page.locator(f"[data-testid=payee][data-account-no='{carol_no}']").get_by_test_id("payee-pick").click()
    await expect(form.get_by_test_id("input-recipient")).to_have_value(carol_no)
    await form.get_by_test_id("input-amount").fill("1.00")
    await form.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await page.get_by_test_id("transfer-submit").click()
    await expect(page.get_by_test_id("transfer-done")).to_have_attribute("data-status", "SUCCEEDED")
    assert await wallet_balance(carol) == (1_00, 0)
    await expect(recent).to_have_count(2)  # refreshed after the transfer, newest first
    await expect(recent.first).to_have_attribute("data-account-no", carol_no)

    await page.locator(f"[data-testid=payee][data-account-no='{bob_no}']").get_by_test_id("payee-remove").click()
    await expect(payees).to_have_count(1)
    saved = {p["accountNo"] for p in (await gql.ok(PAYEES, token=token))["payees"]}
    assert saved == {carol_no}
