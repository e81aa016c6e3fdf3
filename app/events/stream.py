"""What subscriptions consume: broker messages for one topic, with gaps refilled from the outbox.

Redis pub/sub keeps nothing: while a listener reconnects (Redis restarted, network blip)
messages are lost. The broker then sends a resync marker, and this stream replays the
topic's outbox rows that were published (or are still unpublished) since the last message
that did arrive, among those created after the subscription began. Not "ids above the last
delivered one": transactions commit out of id order, so an event with a lower id can be
published later. Repeats (a replayed event that also arrives live, or a sweeper resend)
are dropped by event id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.expressions import Q

from models import OutboxEvent

from .. import clock, runtime
from ..ops import metrics

RESYNC = "__resync__"
SEEN_IDS = 2048


# Publishers stamp published_at with their own clock, after the broker took the message.
CLOCK_SKEW = timedelta(seconds=5)


async def subscribe(topic: str) -> AsyncGenerator[dict[str, Any], None]:
    # The last SEEN_IDS event ids, for dropping repeats; built on the first event (an empty
    # deque already holds a 64-slot block: ~0.6 KiB per idle subscriber).
    seen: deque[int] | None = None
    seen_set: set[int] = set()
    newest = cast("int | None", await OutboxEvent.all().order_by("-id").first().values_list("id", flat=True))
    start_id = int(newest) if newest is not None else 0  # older events are history, not news
    listening_since = clock.now()  # a gap can only begin after the last message that arrived

    def fresh(event_id: int | None) -> bool:
        nonlocal seen
        if event_id is None:
            return True
        if event_id in seen_set:
            return False
        if seen is None:
            seen = deque(maxlen=SEEN_IDS)
        if len(seen) == seen.maxlen:
            seen_set.discard(seen[0])
        seen.append(event_id)
        seen_set.add(event_id)
        return True

    metrics.SUBSCRIPTIONS.inc()
    try:
        async for message in runtime.get().broker.subscribe(topic):
            if message.get(RESYNC):
                since, listening_since = listening_since - CLOCK_SKEW, clock.now()
                for row in await _missed(topic, start_id, since):
                    if fresh(row.id):
                        yield {**row.payload, "eventId": row.id, "replayed": True}
                continue
            listening_since = clock.now()
            if fresh(message.get("eventId")):
                yield message
    finally:
        metrics.SUBSCRIPTIONS.dec()


async def _missed(topic: str, start_id: int, since: datetime) -> list[OutboxEvent]:
    return (
        await OutboxEvent.filter(topic=topic, id__gt=start_id)
        .filter(Q(published_at__gte=since) | Q(published_at__isnull=True))
        .order_by("id")
        .limit(1000)
    )
