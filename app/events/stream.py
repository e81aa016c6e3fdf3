"""What subscriptions consume: broker messages for one topic, with gaps refilled from the outbox.

Redis pub/sub keeps nothing: while a listener reconnects (Redis restarted, network blip)
messages are lost. The broker then sends a resync marker, and this stream replays the
topic's outbox rows newer than the last event it delivered. Repeats (a replayed event
that also arrives live, or a sweeper resend) are dropped by event id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from models import OutboxEvent

from .. import runtime

RESYNC = "__resync__"


async def subscribe(topic: str) -> AsyncIterator[dict[str, Any]]:
    seen: deque[int] = deque(maxlen=2048)
    seen_set: set[int] = set()
    last_id = 0

    def fresh(event_id: int | None) -> bool:
        if event_id is None:
            return True
        if event_id in seen_set:
            return False
        if len(seen) == seen.maxlen:
            seen_set.discard(seen[0])
        seen.append(event_id)
        seen_set.add(event_id)
        return True

    async for message in runtime.get().broker.subscribe(topic):
        if message.get(RESYNC):
            missed = await OutboxEvent.filter(topic=topic, id__gt=last_id).order_by("id").limit(500)
            for row in missed:
                if fresh(row.id):
                    last_id = max(last_id, row.id)
                    yield {**row.payload, "eventId": row.id, "replayed": True}
            continue
        event_id = message.get("eventId")
        if fresh(event_id):
            if event_id is not None:
                last_id = max(last_id, event_id)
            yield message
