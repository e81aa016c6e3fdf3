"""The merchant console's operations: a payer's refund request shown on the order, webhook endpoints (secret shown once, delete), the delivery
log with its attempts and a replay that succeeds, the daily statement with its CSV link, a payout
to the owner's card with the payment password, and the fee rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.async_api import expect

from app.business_days import CHINA
from app.jobs.registry import run_once
from tests.factories import DEFAULT_PIN, fund, make_card, make_user, token_for
from tests.merchant_platform.core_support import create_order, merchant_with_key, pay_order
from tests.merchant_platform.receiver import Scripted, serve

from .browser import open_screen, screenshot

REQUEST_REFUND = """mutation($input: RequestRefundInput!) { requestRefund(input: $input) {
  refund { refundNo } errors { code message field } } }"""


async def _answer_200(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def test_webhooks_statement_and_payout_in_the_console(open_page, require, gql, web_server) -> None:  # noqa: ANN001
    require("createWebhookEndpoint", "deleteWebhookEndpoint", "replayWebhookDelivery", "requestPayout", "createOrder")
    merchant, owner, secret = await merchant_with_key(gql, name="街角面包店")
    card = await make_card(owner, ending="8866")
    payer = await make_user()
    await fund(payer, 100_00)

    receiver = Scripted(_answer_200, [500])  # the first delivery fails, the replay gets through
    async with serve(receiver) as base:
        shop = await open_page(token=token_for(owner))
        await open_screen(shop, "merchant-api")
        await expect(shop.get_by_test_id("fee-rate")).to_have_text("0.60%")

        # Endpoints: one to delete, one that stays; the signing secret is shown once.
        hooks = shop.get_by_test_id("webhook-form")
        await hooks.get_by_test_id("input-url").fill(f"{base}/old")
        await shop.get_by_test_id("webhook-submit").click()
        await expect(shop.get_by_test_id("webhook-secret")).to_contain_text("whsec_")
        await expect(shop.get_by_test_id("webhook-endpoint")).to_have_count(1)
        await shop.get_by_test_id("webhook-endpoint-delete").click()
        await expect(shop.get_by_test_id("webhook-endpoint")).to_have_count(0)
        await hooks.get_by_test_id("input-url").fill(f"{base}/fenpay/webhook")
        await shop.get_by_test_id("webhook-submit").click()
        await expect(shop.get_by_test_id("webhook-endpoint")).to_have_count(1)

        # An order paid by a user: its ORDER_PAID delivery is attempted by the job (500).
        order = await create_order(gql, secret, "WEB-OPS-1", "20.00")
        paid = await pay_order(gql, payer, order)
        assert paid["errors"] == []
        # The payer asks for part back (staff-reviewed); the merchant sees the request on the order.
        asked = await gql.mutate(REQUEST_REFUND, {"input": {
            "transactionNo": paid["transaction"]["transactionNo"], "amount": "3.00", "reason": "WRONG_AMOUNT"}},
            token=token_for(payer))
        assert asked["errors"] == [], asked
        await run_once(datetime.now(UTC) + timedelta(seconds=1))
        assert len(receiver.requests) == 1

        await open_screen(shop, "home")
        await open_screen(shop, "merchant-api")
        request = shop.locator("[data-testid=order][data-out-trade-no=WEB-OPS-1]").get_by_test_id("order-refund-request")
        await expect(request).to_have_attribute("data-status", "PENDING_REVIEW")
        await expect(request).to_contain_text("¥3.00")
        await expect(request).to_have_attribute("data-refund-no", asked["refund"]["refundNo"])
        delivery = shop.get_by_test_id("webhook-delivery")
        await expect(delivery).to_have_attribute("data-status", "PENDING")
        await expect(delivery).to_have_attribute("data-attempts", "1")
        await expect(delivery.get_by_test_id("webhook-attempt")).to_have_count(1)
        await expect(delivery.get_by_test_id("webhook-attempt")).to_contain_text("HTTP 500")
        await delivery.get_by_test_id("webhook-replay").click()
        replayed = shop.get_by_test_id("webhook-delivery")
        await expect(replayed).to_have_attribute("data-status", "SUCCEEDED")
        await expect(replayed).to_have_attribute("data-attempts", "2")
        await expect(replayed.get_by_test_id("webhook-attempt")).to_have_count(2)
        assert len(receiver.requests) == 2
        assert receiver.requests[0][1] == receiver.requests[1][1]  # the same event, the same body
        await screenshot(shop, "merchant-webhooks")

    # The day ends (China time); the statement job builds the day's statement.
    now = datetime.now(UTC)
    today = now.astimezone(CHINA).date()
    day_end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=CHINA) + timedelta(minutes=5)
    await run_once(day_end.astimezone(UTC))
    statement = shop.get_by_test_id("statement-form")
    await statement.get_by_test_id("input-date").fill((today + timedelta(days=1)).isoformat())
    await shop.get_by_test_id("statement-submit").click()
    await expect(shop.get_by_test_id("statement-none")).to_be_visible()
    await statement.get_by_test_id("input-date").fill(today.isoformat())
    await shop.get_by_test_id("statement-submit").click()
    await expect(shop.get_by_test_id("statement-orderCount")).to_have_text("1")
    await expect(shop.get_by_test_id("statement-grossAmount")).to_have_text("¥20.00")
    await expect(shop.get_by_test_id("statement-feeAmount")).to_have_text("¥0.12")
    await expect(shop.get_by_test_id("statement-netAmount")).to_have_text("¥19.88")
    csv_url = await shop.get_by_test_id("statement-csv").get_attribute("href")
    assert csv_url
    async with httpx.AsyncClient(base_url=web_server.http_url, timeout=30) as http:
        link = urlsplit(csv_url)
        download = await http.get(f"{link.path}?{link.query}")  # signed link: no token
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")
    assert "WEB-OPS-1" in download.content.decode("utf-8")
    await screenshot(shop, "merchant-statement")

    # A payout of part of the merchant account's balance to the owner's card.
    await expect(shop.get_by_test_id("payout-available")).to_have_text("¥19.88")
    payout = shop.get_by_test_id("payout-form")
    await payout.get_by_test_id("input-amount").fill("10.00")
    await payout.get_by_test_id("input-bankCardId").select_option(value=await _card_id(card.id))
    await payout.get_by_test_id("input-paymentPassword").fill("000000")
    await shop.get_by_test_id("payout-submit").click()
    await expect(payout.get_by_test_id("error-paymentPassword")).not_to_be_empty()
    await payout.get_by_test_id("input-paymentPassword").fill(DEFAULT_PIN)
    await shop.get_by_test_id("payout-submit").click()
    await expect(shop.get_by_test_id("payout-done")).to_contain_text("¥10.00")
    await expect(shop.get_by_test_id("payout")).to_have_attribute("data-status", "PROCESSING")
    await expect(shop.get_by_test_id("payout-available")).to_have_text("¥9.88")
    await screenshot(shop, "merchant-payouts")


async def _card_id(pk: int) -> str:
    from schema.node import to_global_id

    return to_global_id("BankCard", pk)
