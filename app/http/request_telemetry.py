"""ASGI middleware: a request id for every HTTP request (the client's ``X-Request-ID`` when it
is a sane token, else a new one; echoed in the response and put on every log line), and the
open-websocket gauge and the worker's count of what it took."""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..ops import log_context, metrics

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _SANE_ID.fullmatch(text):
                return text
    return secrets.token_hex(8)


class RequestTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            metrics.WORKER_REQUESTS.inc()
        if scope["type"] == "websocket":
            metrics.WEBSOCKETS.inc()
            token = log_context.request_id.set(_request_id(scope))
            try:
                await self.app(scope, receive, send)
            finally:
                metrics.WEBSOCKETS.dec()
                log_context.request_id.reset(token)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = log_context.request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log_context.request_id.reset(token)
