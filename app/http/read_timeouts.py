"""Header and body read timeouts for ``fenpay serve`` (uvicorn has neither).

Without them a client sending one byte every few seconds holds a connection, and its memory,
for ever: 500 slow-header and 500 slow-body requests were all still open after 130 s. Each
connection here gets a deadline for its request headers (from the first byte of the request,
or from the connection for the first request) and then one for the whole body; a connection
past either is closed. The limits are settings (``FENPAY_HEADER_READ_TIMEOUT_SECONDS``,
``FENPAY_BODY_READ_TIMEOUT_SECONDS``); websocket upgrades end the watch at the headers.
Idle keep-alive connections are closed by uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .. import runtime

DEFAULT_HEADER_SECONDS = 10.0
DEFAULT_BODY_SECONDS = 30.0


def _limits() -> tuple[float, float]:
    try:
        settings = runtime.settings()
    except RuntimeError:  # before the worker's start-up finished
        return DEFAULT_HEADER_SECONDS, DEFAULT_BODY_SECONDS
    return float(settings.header_read_timeout_seconds), float(settings.body_read_timeout_seconds)


class TimedHttpToolsProtocol(HttpToolsProtocol):
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(_limits()[0])

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(_limits()[0])

    def on_headers_complete(self) -> None:
        upgrading = self.parser.should_upgrade()
        if upgrading:
            self._disarm()
        else:
            self._arm(_limits()[1])
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()
