"""Refuse oversized request bodies before anything reads them into memory.

A pure ASGI middleware: a declared ``Content-Length`` above the limit is answered
413 at once; a body sent without one (chunked) is counted as it streams in and cut
off with 413 as soon as it passes the limit. Multipart uploads (identity documents)
get a larger allowance than JSON requests.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_LIMIT = 1 * 1024 * 1024
MULTIPART_LIMIT = 10 * 1024 * 1024


class BodyTooLarge(Exception):
    """Raised from ``receive`` once the streamed body passes the limit."""


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, json_limit: int = JSON_LIMIT, multipart_limit: int = MULTIPART_LIMIT) -> None:
        self.app = app
        self.json_limit = json_limit
        self.multipart_limit = multipart_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        limit = self.multipart_limit if content_type.lower().startswith("multipart/") else self.json_limit
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _refuse(send, 400, "invalid Content-Length")
                return
            if length > limit:
                await _refuse(send, 413, f"request body larger than {limit} bytes")
                return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send, 413, f"request body larger than {limit} bytes")


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
