"""Live ticket chat: each new message is published after commit on the ticket's topic."""

from __future__ import annotations

from collections.abc import AsyncIterator

from models.support import TicketMessage

from ..events import stream
from ..events.outbox import UnitOfWork


def ticket_topic(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


async def emit_new_message(uow: UnitOfWork, message: TicketMessage) -> None:
    """Queue the message for the ticket's subscribers (in the caller's transaction)."""
    await uow.emit(ticket_topic(message.ticket_id), {"ticketId": message.ticket_id, "messageId": message.id})


async def new_messages(ticket_id: int) -> AsyncIterator[TicketMessage]:
    """Messages added to the ticket from now on, each once (the outbox may deliver twice)."""
    seen: set[int] = set()
    async for event in stream.subscribe(ticket_topic(ticket_id)):
        message_id = event.get("messageId")
        if not isinstance(message_id, int) or message_id in seen:
            continue
        seen.add(message_id)
        message = await TicketMessage.get_or_none(id=message_id, ticket_id=ticket_id)
        if message is not None:
            yield message
