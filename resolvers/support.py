"""Customer-service resolvers: FAQ, contact channels, tickets and the live ticket chat."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app import runtime
from app.errors import DomainError, ErrorCode
from app.events.resume import parse_cursor
from app.ledger.accounts import MERCHANT
from app.support import tickets as ticket_service
from app.support.contact import ContactChannel, contact_channels
from app.support.faq import search_faq
from app.support.live import event_cursor, new_messages
from models import Transaction
from models.support import FaqEntry, Ticket, TicketMessage

from . import loaders
from .context import RequestContext
from .pagination import Page, paginate


async def faq(search: str | None) -> list[FaqEntry]:
    return await search_faq(search)


def channels() -> list[ContactChannel]:
    return contact_channels(runtime.settings())


async def submit_ticket(
    ctx: RequestContext, kind: str, subject: str, body: str, transaction_no: str | None
) -> Ticket:
    return await ticket_service.submit_ticket(await ctx.require_viewer(), kind, subject, body, transaction_no)


async def reply_ticket(ctx: RequestContext, ticket_id: int | None, body: str) -> Ticket:
    return await ticket_service.reply_ticket(await ctx.require_viewer(), ticket_id, body)


async def update_ticket_status(ctx: RequestContext, ticket_id: int | None, status: str) -> Ticket:
    return await ticket_service.update_ticket_status(
        await ctx.require_viewer(), ticket_id, status, ip=ctx.client_ip
    )


async def my_tickets(ctx: RequestContext, first: int | None, after: str | None) -> Page[Ticket]:
    viewer = await ctx.require_viewer()
    return await paginate(ticket_service.tickets_of(viewer.id), first=first, after=after)


async def staff_tickets(status: str | None, first: int | None, after: str | None) -> Page[Ticket]:
    return await paginate(ticket_service.all_tickets(status), first=first, after=after)


async def ticket_node(ctx: RequestContext, ticket_id: int) -> Ticket | None:
    return await ticket_service.visible_ticket(await ctx.viewer(), ticket_id)


async def messages(ticket: Ticket) -> list[TicketMessage]:
    return await ticket_service.messages_of(ticket)


async def transaction(ticket: Ticket) -> tuple[Transaction, int] | None:
    """The ticket's transaction and the side it is seen from (``ticket_service.transaction_of``),
    through the loaders: a page of tickets sends one query per kind, not three per ticket."""
    if ticket.transaction_id is None:
        return None
    batch = loaders.current()
    tx = await loaders.must(batch.transactions, ticket.transaction_id)
    initiator = await batch.accounts.load(tx.account_id)
    owned = initiator is not None and initiator.user_id == ticket.user_id
    if initiator is not None and not owned and initiator.kind == MERCHANT:
        merchant = await batch.merchants_by_account.load(initiator.id)
        owned = merchant is not None and merchant.owner_id == ticket.user_id
    return tx, ticket_service.side_seen_by_owner(tx, owned)


async def live_messages(
    ctx: RequestContext, ticket_id: int | None, after: str | None = None
) -> AsyncIterator[tuple[TicketMessage, int | None]]:
    """New messages (with their event id) of a ticket the viewer owns or, for staff, any ticket.

    ``after``: an event cursor (Ticket.eventCursor / TicketMessage.eventId); messages sent
    since it are replayed first. Errors: NOT_FOUND (ticketId), VALIDATION_FAILED (after).
    """
    cursor = parse_cursor(after)
    viewer = await ctx.viewer()
    ticket = await ticket_service.visible_ticket(viewer, ticket_id) if ticket_id is not None else None
    if ticket is None:
        raise DomainError(ErrorCode.NOT_FOUND, "工单不存在", ("ticketId",))
    async for item in new_messages(ticket.id, cursor):
        yield item


async def ticket_event_cursor(ticket: Ticket) -> str:
    return await event_cursor(ticket.id)
