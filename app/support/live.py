"""Live ticket chat: each new message is published after commit on the ticket's topic."""

from __future__ import annotations

from collections.abc import AsyncIterator

from models.support import TicketMessage

from ..events import resume
from ..events.outbox import UnitOfWork


def ticket_topic(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


async def emit_new_message(uow: UnitOfWork, message: TicketMessage) -> None:
    """Queue the message for the ticket's subscribers (in the caller's transaction)."""
    await uow.emit(ticket_topic(message.ticket_id), {"ticketId": message.ticket_id, "messageId": message.id})


async def event_cursor(ticket_id: int) -> str:
    """The cursor a client passes as ``after`` to resume the ticket's chat from this read."""
    return await resume.topic_cursor(ticket_topic(ticket_id))


async def new_messages(ticket_id: int, after: int | None = None) -> AsyncIterator[tuple[TicketMessage, int | None]]:
    """(message, outbox event id) for messages added from now on, or since event ``after``; each once.

    The outbox may deliver an event twice; a message is yielded once whatever the event.
    """
    seen: set[int] = set()
    async for event in resume.subscribe(ticket_topic(ticket_id), after):
        message_id = event.get("messageId")
        if not isinstance(message_id, int) or message_id in seen:
            continue
        seen.add(message_id)
        message = await TicketMessage.get_or_none(id=message_id, ticket_id=ticket_id)
        if message is not None:
            event_id = event.get("eventId")
            yield message, event_id if isinstance(event_id, int) else None
