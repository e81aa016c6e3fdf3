"""A shop's system hears about its orders: the owner registers a webhook endpoint (a local
receiver), a customer pays an order by scanning its code, and the shop's receiver gets the
signed ORDER_PAID notification, which the owner also sees in the delivery log."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

from tests.operations.receivers import HttpReceiver

from .client import PIN, TX_FIELDS, Api, Staff, key

CREATE_ENDPOINT = """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  endpoint { id url events enabled } secret errors { code message field } } }"""
CREATE_ORDER = """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
  order { id outTradeNo amount status qrPayload } errors { code message field } } }"""
PAY_QR = f"""mutation($input: PayQrCodeInput!) {{ payQrCode(input: $input) {{
  transaction {{ {TX_FIELDS} }} errors {{ code message field }} }} }}"""
DELIVERIES = """query($no: String!) { merchant(merchantNo: $no) {
  webhookEndpoints { id url }
  webhookDeliveries(first: 10) { totalCount edges { node { eventId eventType endpoint { id } } } } } }"""


async def test_the_shops_receiver_gets_a_signed_order_paid_notification(api: Api, staff: Staff) -> None:
    owner = await api.new_customer(staff, top_up=None, real_name="周店主")
    merchant_no = await api.create_merchant(staff, owner, name="街角面包房")
    payer = await api.new_customer(staff, top_up="200.00", real_name="吴顾客")
    with HttpReceiver() as shop:
        url = f"http://127.0.0.1:{shop.port}/fenpay/webhook"
        created = await api.mutate(CREATE_ENDPOINT, {"input": {"merchantNo": merchant_no, "url": url,
                                                               "events": ["ORDER_PAID"]}}, token=owner.token)
        endpoint, secret = created["endpoint"], created["secret"]
        assert endpoint["enabled"] and endpoint["url"] == url and secret

        order = (await api.mutate(CREATE_ORDER, {"input": {"merchantNo": merchant_no, "outTradeNo": "BREAD-0001",
                                                           "amount": "23.50", "description": "两个面包"}},
                                  token=owner.token))["order"]
        assert order["status"] == "CREATED", order
        paid = await api.mutate(PAY_QR, {"input": {"payload": order["qrPayload"], "paymentPassword": PIN,
                                                   "idempotencyKey": key("order")}}, token=payer.token)
        assert paid["transaction"]["status"] == "SUCCEEDED" and paid["transaction"]["amount"] == "23.50"

        # The server sends right after the payment commits, from its own process.
        (post,) = await asyncio.to_thread(shop.wait_for, 1)

    headers = {name.lower(): value for name, value in post.headers.items()}
    timestamp, signature = (part.split("=", 1)[1] for part in headers["x-fenpay-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + post.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    event = json.loads(post.body)
    assert event["type"] == "ORDER_PAID", event

    log = (await api.ok(DELIVERIES, {"no": merchant_no}, token=owner.token))["merchant"]
    assert log["webhookDeliveries"]["totalCount"] == 1
    (delivery,) = [edge["node"] for edge in log["webhookDeliveries"]["edges"]]
    assert delivery["eventType"] == "ORDER_PAID" and delivery["endpoint"]["id"] == endpoint["id"]
    assert delivery["eventId"] == event["eventId"], (delivery, event)
