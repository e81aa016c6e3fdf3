"""An event-stream subscription that knows when it is live.

Subscribing to a broker topic takes effect some time after the call (a Redis SUBSCRIBE
travels to the server; an in-process queue registers on first read), and an event
published before that is lost to this subscriber. ``live_messages`` closes the gap: it
publishes a private marker on the topic until the marker comes back through its own
subscription, then yields ``None`` ("live from here on": the caller reads the current
state now) followed by every message. Events that arrived during the handshake come
right after the ``None``; markers are never passed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncGenerator
from typing import Any

from .. import runtime
from . import stream

MARKER_KEY = "_subscriptionMarker"
RESEND_SECONDS = 0.1
MAX_ATTEMPTS = 100


class SubscriptionNotLive(Exception):
    """The broker never echoed the marker (broker down)."""


async def live_messages(topic: str) -> AsyncGenerator[dict[str, Any] | None, None]:
    broker = runtime.get().broker
    messages = stream.subscribe(topic)  # refills broker gaps from the outbox, drops repeats
    token = secrets.token_hex(8)
    pending: asyncio.Future[dict[str, Any]] = asyncio.ensure_future(messages.__anext__())
    try:
        early: list[dict[str, Any]] = []
        live = False
        for _ in range(MAX_ATTEMPTS):
            await broker.publish(topic, {MARKER_KEY: token})
            # A retransmission timer for the marker, not a wait for work.
            while not live:
                done, _ = await asyncio.wait({pending}, timeout=RESEND_SECONDS)
                if not done:
                    break
                message = pending.result()
                pending = asyncio.ensure_future(messages.__anext__())
                if message.get(MARKER_KEY) == token:
                    live = True
                elif MARKER_KEY not in message:
                    early.append(message)
            if live:
                break
        if not live:
            raise SubscriptionNotLive(topic)
        yield None
        for message in early:
            yield message
        while True:
            message = await pending
            pending = asyncio.ensure_future(messages.__anext__())
            if MARKER_KEY not in message:
                yield message
    finally:
        pending.cancel()
        with contextlib.suppress(BaseException):
            await pending
        with contextlib.suppress(RuntimeError, StopAsyncIteration):
            await messages.aclose()
