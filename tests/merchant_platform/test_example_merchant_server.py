"""The example merchant server (examples/merchant_server.py) against fenpay: it creates an order
with its API key, a user pays it, the webhook reaches the example's receiver (signature verified,
de-duplicated on eventId), it queries the order and refunds part of it; the day's statement lists
the order and the refund with the merchant's own numbers. Also: which keys may manage webhooks and
read the events feed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from app import clock
from app.jobs.registry import run_once
from app.ledger.reconcile import reconcile
from examples.merchant_server import EventInbox, FenpayClient, webhook_app
from tests.factories import DEFAULT_PIN, fund, make_user, token_for
from tests.harness.graphql import user_error_codes

from .core_support import merchant_with_key
from .helpers import CREATE_ENDPOINT, EVENTS
from .receiver import serve

PAY_QR = """mutation($input: PayQrCodeInput!) { payQrCode(input: $input) { errors { code message } } }"""
STATEMENT = """query($no: String!, $date: String!) { merchant(merchantNo: $no) {
  statement(date: $date) { orderCount grossAmount refundAmount feeAmount netAmount csvUrl } } }"""

# Thursday 2026-12-03, 11:00 China time.
T = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


async def test_example_server_orders_receives_verified_webhooks_and_refunds(gql, http, asgi_app) -> None:  # noqa: ANN001
    clock.set_now(T)
    merchant, owner, secret = await merchant_with_key(gql, ["ORDERS", "REFUNDS", "WEBHOOKS"])
    payer = await make_user()
    await fund(payer, 500_00)
    inbox = EventInbox()
    shop = FenpayClient("http://fenpay.test", secret, transport=httpx.ASGITransport(app=asgi_app))
    try:
        async with serve(webhook_app("not yet", inbox)) as base:
            # The merchant's server registers its endpoint with its own key (WEBHOOKS scope).
            created = await gql.mutate(
                CREATE_ENDPOINT,
                {"input": {"url": f"{base}/fenpay/webhook", "events": ["ORDER_PAID", "REFUND_SUCCEEDED"]}},
                headers={"Authorization": f"Bearer {secret}"},
            )
            assert created["errors"] == [], created
            receiver = webhook_app(created["secret"], inbox, clock=lambda: clock.now().timestamp())
            async with serve(receiver) as base2:
                from models.merchant_platform_events import WebhookEndpoint

                await WebhookEndpoint.filter(merchant_id=merchant.id).update(url=f"{base2}/fenpay/webhook")

                order = await shop.create_order("SHOP-20261203-1", "88.00", "两杯咖啡")
                assert order["errors"] == [] and order["order"]["status"] == "CREATED"
                paid = await gql.mutate(
                    PAY_QR,
                    {"input": {"payload": order["order"]["qrPayload"], "paymentPassword": DEFAULT_PIN,
                               "idempotencyKey": "pay-1"}},
                    token=token_for(payer),
                )
                assert paid["errors"] == []
                await run_once(clock.now())
                clock.set_now(T)
                (event,) = inbox.events.values()
                assert event["type"] == "ORDER_PAID" and event["order"]["outTradeNo"] == "SHOP-20261203-1"

                queried = await shop.order("SHOP-20261203-1")
                assert queried["status"] == "PAID"
                refund = await shop.refund("SHOP-20261203-1", "R-1", "30.00", "少送一杯")
                assert refund["errors"] == [] and refund["refund"]["status"] == "SUCCEEDED"
                await run_once(clock.now())
                clock.set_now(T)
        assert sorted(e["type"] for e in inbox.events.values()) == ["ORDER_PAID", "REFUND_SUCCEEDED"]
        refunded = next(e for e in inbox.events.values() if e["type"] == "REFUND_SUCCEEDED")
        assert refunded["refund"]["outRefundNo"] == "R-1" and refunded["refund"]["amount"] == "30.00"
        assert (await shop.order("SHOP-20261203-1"))["refundedAmount"] == "30.00"
    finally:
        await shop.close()

    # The events feed: readable with any key of the merchant (here one with ORDERS only).
    _, _, orders_only = await merchant_with_key(gql, ["ORDERS"], name="别家")
    feed = await gql.ok(EVENTS, {"no": merchant.merchant_no}, headers={"Authorization": f"Bearer {secret}"})
    assert [e["node"]["type"] for e in feed["merchant"]["events"]["edges"]] == ["ORDER_PAID", "REFUND_SUCCEEDED"]
    foreign = await gql.ok(EVENTS, {"no": merchant.merchant_no}, headers={"Authorization": f"Bearer {orders_only}"})
    assert foreign["merchant"]["events"]["edges"] == []  # another merchant's key

    # The statement of the day, after the day-end job: the order, its fee and the refund.
    await run_once(datetime(2026, 12, 3, 16, 5, tzinfo=UTC))
    clock.set_now(datetime(2026, 12, 3, 16, 6, tzinfo=UTC))
    data = await gql.ok(STATEMENT, {"no": merchant.merchant_no, "date": "2026-12-03"}, token=token_for(owner))
    statement = data["merchant"]["statement"]
    # 88.00 at 0.6 % -> fee 0.53; the refund of 30.00 returns 0.18 of it.
    assert statement["orderCount"] == 1 and statement["grossAmount"] == "88.00"
    assert statement["refundAmount"] == "30.00" and statement["feeAmount"] == "0.53"
    assert statement["netAmount"] == "57.47"
    parts = urlsplit(statement["csvUrl"])
    text = (await http.get(f"{parts.path}?{parts.query}")).content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["type"], r["outTradeNo"], r["outRefundNo"], r["amount"]) for r in rows] == [
        ("ORDER", "SHOP-20261203-1", "", "88.00"),
        ("FEE", "SHOP-20261203-1", "", "-0.53"),
        ("REFUND", "SHOP-20261203-1", "R-1", "-30.00"),
        ("FEE", "SHOP-20261203-1", "R-1", "0.18"),
        ("TOTAL", "", "", "57.65"),
    ]
    assert (await reconcile()).clean
    clock.set_now(None)


async def test_webhook_management_needs_the_webhooks_scope(gql) -> None:  # noqa: ANN001
    merchant, _, orders_key = await merchant_with_key(gql, ["ORDERS"])
    refused = await gql.mutate(
        CREATE_ENDPOINT, {"input": {"url": "https://shop.example/h", "events": ["ORDER_PAID"]}},
        headers={"Authorization": f"Bearer {orders_key}"},
    )
    assert user_error_codes(refused) == ["API_KEY_INVALID"]
    _, _, other_key = await merchant_with_key(gql, ["WEBHOOKS"], name="别家")
    foreign = await gql.mutate(
        CREATE_ENDPOINT,
        {"input": {"merchantNo": merchant.merchant_no, "url": "https://shop.example/h", "events": ["ORDER_PAID"]}},
        headers={"Authorization": f"Bearer {other_key}"},
    )
    assert user_error_codes(foreign) == ["API_KEY_INVALID"]
