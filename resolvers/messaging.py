"""Dead letters of the message outbox, for staff: thin calls into app.messaging."""

from __future__ import annotations

from app.messaging import outbox
from models.messaging import OutboundMessage


async def undelivered_messages(first: int | None) -> list[OutboundMessage]:
    return await outbox.dead_letters(limit=max(1, min(first or 50, 200)))
