"""A small merchant server integrating with fenpay (stdlib + starlette + httpx).

It shows the whole integration:
- ``FenpayClient.create_order`` / ``order`` / ``refund``: server-to-server GraphQL calls with
  the merchant's API key (``Authorization: Bearer sk_...``);
- ``POST /fenpay/webhook``: receives fenpay's webhooks, verifies ``X-Fenpay-Signature``
  (``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>``) on the raw body, refuses
  stale timestamps, and handles each event once (de-duplicated on ``eventId``), answering
  2xx only after the event is stored, so fenpay retries until it is.

Run it:  FENPAY_URL=http://127.0.0.1:8000 FENPAY_API_KEY=sk_... FENPAY_WEBHOOK_SECRET=whsec_... \\
         uvicorn examples.merchant_server:app --port 9000
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SIGNATURE_HEADER = "X-Fenpay-Signature"
TOLERANCE_SECONDS = 300


class InvalidSignature(Exception):
    pass


def verify_signature(
    secret: str, header: str | None, body: bytes, *, tolerance: int = TOLERANCE_SECONDS, now: float | None = None
) -> None:
    """Raise InvalidSignature unless ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds."""
    if not secret:
        raise InvalidSignature("no webhook secret configured")
    if not header:
        raise InvalidSignature("missing signature header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise InvalidSignature("no timestamp") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature("timestamp outside the tolerance window")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", [])):
        raise InvalidSignature("signature mismatch")


@dataclass
class EventInbox:
    """Events handled so far, keyed by eventId (a real shop keeps this in its database)."""

    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: int = 0

    def handle(self, event: dict[str, Any]) -> bool:
        """Store the event once; False when it was a duplicate (a retry or a replay)."""
        self.received += 1
        if event["eventId"] in self.events:
            return False
        self.events[event["eventId"]] = event
        return True


def webhook_app(
    secret: str, inbox: EventInbox | None = None, *, tolerance: int = TOLERANCE_SECONDS, clock: Any = None
) -> Starlette:
    """The webhook receiver. ``clock``: a function returning unix seconds (tests inject fenpay's clock)."""
    inbox = inbox if inbox is not None else EventInbox()

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()  # verify the raw bytes, before any JSON parsing
        try:
            verify_signature(
                secret, request.headers.get(SIGNATURE_HEADER), body,
                tolerance=tolerance, now=clock() if clock else None,
            )
        except InvalidSignature as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        event = json.loads(body)
        first_time = inbox.handle(event)
        return JSONResponse({"ok": True, "duplicate": not first_time})

    application = Starlette(routes=[Route("/fenpay/webhook", receive, methods=["POST"])])
    application.state.inbox = inbox
    return application


class FenpayClient:
    """The merchant's side of the API, with an API key (scopes ORDERS, REFUNDS)."""

    def __init__(self, base_url: str, api_key: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, transport=transport, timeout=10
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self._http.post("/graphql", json={"query": query, "variables": variables})
        response.raise_for_status()
        result = response.json()
        if result.get("errors"):
            raise RuntimeError(result["errors"])
        (payload,) = result["data"].values()
        return payload

    async def create_order(self, out_trade_no: str, amount: str, description: str) -> dict[str, Any]:
        return await self._call(
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) {"
            " order { outTradeNo amount status qrPayload } errors { code message } } }",
            {"input": {"outTradeNo": out_trade_no, "amount": amount, "description": description}},
        )

    async def order(self, out_trade_no: str) -> dict[str, Any] | None:
        return await self._call(
            "query($n: String!) { order(outTradeNo: $n) { outTradeNo amount status refundedAmount } }",
            {"n": out_trade_no},
        )

    async def refund(self, out_trade_no: str, out_refund_no: str, amount: str, reason: str) -> dict[str, Any]:
        return await self._call(
            "mutation($input: RefundOrderInput!) { refundOrder(input: $input) {"
            " refund { outRefundNo amount status } errors { code message } } }",
            {"input": {"outTradeNo": out_trade_no, "outRefundNo": out_refund_no, "amount": amount, "reason": reason}},
        )


app = webhook_app(os.environ.get("FENPAY_WEBHOOK_SECRET", ""))
