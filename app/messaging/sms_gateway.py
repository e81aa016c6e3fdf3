"""A generic signed-HTTP SMS gateway: POST JSON to a configured URL.

Body: ``{"id": <message id>, "to": "+86...", "purpose": "...", "text": "...", "params": {...}}``,
header ``X-Fenpay-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``. A 2xx answer
means taken; 4xx other than 408/429 is permanent; anything else is retried. The gateway should
de-duplicate on ``id`` (a retry after a lost answer carries the same id).
"""

from __future__ import annotations

import time

import httpx
import orjson

from .. import outbound_http
from .channels import DeliveryError, Message
from .http_probe import probe
from .signing import signature_header

RETRYABLE_4XX = {408, 425, 429}


class HttpSmsGateway:
    name = "sms-gateway"

    def __init__(self, *, url: str, secret: str, timeout_seconds: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._url = url
        self._secret = secret
        self._timeout = timeout_seconds
        self._transport = transport

    async def send(self, message: Message) -> None:
        body = orjson.dumps({"id": message.id, "to": message.recipient, "purpose": message.purpose,
                             "text": message.text, "params": message.params})
        headers = {"Content-Type": "application/json",
                   "X-Fenpay-Signature": signature_header(self._secret, body, int(time.time()))}
        try:
            async with outbound_http.client(timeout=self._timeout, transport=self._transport) as client:
                response = await client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"gateway unreachable: {type(exc).__name__}") from exc
        if response.is_success:
            return
        permanent = 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_4XX
        raise DeliveryError(f"gateway answered {response.status_code}", permanent=permanent)

    async def check(self) -> str:
        return await probe("HEAD", self._url, label="gateway", timeout=self._timeout, transport=self._transport)
