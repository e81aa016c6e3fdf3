"""Resuming a topic from an event cursor: no event lost between a read and a subscribe.

A client reads state (a query), then subscribes; an event committed in between used to be
lost (a subscription only saw what was published once it was listening). The client now
passes the cursor it last saw, ``after`` (the decimal outbox event id, as returned in
``eventId`` / ``eventCursor`` fields), and ``subscribe_after`` yields:

1. once the broker subscription is live (``live_messages`` handshake), the topic's outbox
   events with id > after, oldest first: at most ``REPLAY_LIMIT`` of them, the newest
   ones, and none older than ``REPLAY_WINDOW`` (older history is for queries);
2. then the live stream, minus the events already replayed (same event id).

Because the replay is read after the subscription is live, an event committed later is
published after it and arrives live; one committed earlier is in the replay. Each event
arrives once per subscription. Callers check who may see the topic before subscribing
and still filter each payload as they do for live events.

Limit: transactions commit out of id order, so an event whose id is below ``after`` but
that committed after the cursor was read is not replayed (rare; the window is one commit).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, cast

from models import OutboxEvent

from .. import clock
from ..errors import DomainError, ErrorCode
from . import stream
from .live import live_messages

REPLAY_LIMIT = 500
REPLAY_WINDOW = timedelta(hours=24)
_MAX_EVENT_ID = 2**63 - 1


def parse_cursor(after: str | None, field: str = "after") -> int | None:
    """``None`` stays ``None``; a decimal outbox event id in 0..2^63-1 becomes an int.

    Raises DomainError(VALIDATION_FAILED, field) for anything else.
    """
    if after is None:
        return None
    text = after.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > _MAX_EVENT_ID:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "事件游标无效", (field,))
    return int(text)


async def topic_cursor(topic: str) -> str:
    """The cursor to resume ``topic`` from now: its newest committed event id, "0" if none."""
    newest = cast("int | None", await OutboxEvent.filter(topic=topic).order_by("-id").first().values_list("id", flat=True))
    return str(int(newest)) if newest is not None else "0"


async def replay(topic: str, after: int) -> list[OutboxEvent]:
    """The topic's events with id > after, oldest first (bounded by REPLAY_LIMIT / REPLAY_WINDOW)."""
    newest_first = (
        await OutboxEvent.filter(topic=topic, id__gt=after, created_at__gte=clock.now() - REPLAY_WINDOW)
        .order_by("-id")
        .limit(REPLAY_LIMIT)
    )
    return list(reversed(newest_first))


async def subscribe_after(topic: str, after: int) -> AsyncIterator[dict[str, Any]]:
    """Missed events (id > after) then live ones, each event once; payloads carry ``eventId``."""
    messages = live_messages(topic)
    try:
        live = await messages.__anext__()  # None: the broker delivers from here on
        assert live is None
        replayed: set[int] = set()
        for row in await replay(topic, after):
            replayed.add(row.id)
            yield {**row.payload, "eventId": row.id, "replayed": True}
        async for message in messages:
            if message is None or message.get("eventId") in replayed:
                continue
            yield message
    finally:
        await messages.aclose()


def subscribe(topic: str, after: int | None) -> AsyncIterator[dict[str, Any]]:
    """``stream.subscribe(topic)`` when no cursor was given, else ``subscribe_after``."""
    return stream.subscribe(topic) if after is None else subscribe_after(topic, after)
