"""uvicorn's websocket protocol (the websockets sans-I/O one) with less state per open socket.

``fenpay serve`` holds one of these per subscriber, for hours. uvicorn's own class keeps,
per socket and for its whole life: an ``asyncio.Queue`` for received messages (four deques,
~3 KiB idle), an ``asyncio.Event`` for write pauses (~0.8 KiB), and the parsed handshake
request and response with their headers (~3 KiB; the ASGI scope keeps its own copy of the
request headers, which is what the application reads). Here the queue is a ``Mailbox``, the
event a flag whose waiters exist only while writes are paused, and the handshake objects are
dropped once the handshake is answered (``_forget_handshake``). Behaviour is uvicorn's (ordering, back-pressure,
close handshake); only the storage changed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import Protocol, State

from ..events.mailbox import Mailbox


class WritableFlag:
    """The subset of ``asyncio.Event`` uvicorn uses for ``writable``, without a deque at rest."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        if self._set:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Mailbox()  # type: ignore[assignment]  # get / put_nowait / empty, as uvicorn uses
        self.writable = WritableFlag()  # type: ignore[assignment]

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            self._forget_handshake()

    def _forget_handshake(self) -> None:
        """Drop the handshake's request and response once it is answered.

        uvicorn reads both only while answering (it sets them in ``handle_connect``). The
        websockets parser also keeps the request: its handshake generator holds it in a local
        while it goes on parsing frames. With nothing buffered that generator waits at a frame
        boundary, and a fresh frame parser (what it delegates to) is the same state without
        the request; with bytes already buffered (a client that did not wait for the 101) the
        parser is left alone."""
        self.request = None  # type: ignore[assignment]
        self.response = None  # type: ignore[assignment]
        conn = self.conn
        if conn.state is State.OPEN and not conn.reader.buffer and conn.parser_exc is None:
            conn.parser = Protocol.parse(conn)
            next(conn.parser)
