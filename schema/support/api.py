"""Customer-service queries, mutations and the live ticket chat."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers import support as support_resolvers

from ..context import Info
from ..errors import returns_payload
from ..node import from_global_id
from ..pagination import to_connection
from ..permissions import SIGNED_IN, STAFF
from .types import (
    ContactChannelType,
    FaqEntryType,
    ReplyTicketInput,
    SubmitTicketInput,
    TicketConnection,
    TicketMessageType,
    TicketPayload,
    TicketStatusEnum,
    TicketType,
    UpdateTicketStatusInput,
)


@strawberry.type
class Query:
    @strawberry.field(
        description="Frequently asked questions; `search` matches question or answer text in "
        "Simplified or Traditional Chinese. No sign-in needed."
    )
    async def faq(self, search: str | None = None) -> list[FaqEntryType]:
        return [FaqEntryType.from_model(e) for e in await support_resolvers.faq(search)]

    @strawberry.field(description="Phone, online chat, email and official-account customer service. No sign-in needed.")
    def contact_channels(self) -> list[ContactChannelType]:
        return [ContactChannelType.from_channel(c) for c in support_resolvers.channels()]

    @strawberry.field(permission_classes=SIGNED_IN, description="The viewer's own tickets, newest first.")
    async def my_tickets(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> TicketConnection:
        page = await support_resolvers.my_tickets(info.context, first, after)
        return to_connection(page, TicketType.from_model)

    @strawberry.field(permission_classes=STAFF, description="Staff only (SUPPORT, RISK_OFFICER, ADMIN). Newest first.")
    async def tickets(
        self,
        status: TicketStatusEnum | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> TicketConnection:
        page = await support_resolvers.staff_tickets(status.value if status else None, first, after)
        return to_connection(page, TicketType.from_model)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=SIGNED_IN, description="Submit feedback or a complaint.")
    @returns_payload(TicketPayload)
    async def submit_ticket(self, info: Info, input: SubmitTicketInput) -> TicketPayload:
        ticket = await support_resolvers.submit_ticket(
            info.context, input.kind.value, input.subject, input.body, input.transaction_no
        )
        return TicketPayload(ticket=TicketType.from_model(ticket))

    @strawberry.mutation(
        permission_classes=SIGNED_IN,
        description="The ticket's owner or staff add a message; a closed ticket takes none.",
    )
    @returns_payload(TicketPayload)
    async def reply_ticket(self, info: Info, input: ReplyTicketInput) -> TicketPayload:
        ticket = await support_resolvers.reply_ticket(
            info.context, from_global_id(input.ticket_id, "Ticket"), input.body
        )
        return TicketPayload(ticket=TicketType.from_model(ticket))

    @strawberry.mutation(
        permission_classes=SIGNED_IN,
        description="Staff only, except that a user may close their own ticket (status CLOSED).",
    )
    @returns_payload(TicketPayload)
    async def update_ticket_status(self, info: Info, input: UpdateTicketStatusInput) -> TicketPayload:
        ticket = await support_resolvers.update_ticket_status(
            info.context, from_global_id(input.ticket_id, "Ticket"), input.status.value
        )
        return TicketPayload(ticket=TicketType.from_model(ticket))


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=SIGNED_IN,
        description="Messages on one of the viewer's tickets, or any ticket for staff.",
    )
    async def ticket_messages(
        self,
        info: Info,
        ticket_id: strawberry.ID,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Event cursor (Ticket.eventCursor or a pushed eventId): first replays what was sent since."
            ),
        ] = None,
    ) -> AsyncGenerator[TicketMessageType, None]:
        stream = support_resolvers.live_messages(info.context, from_global_id(ticket_id, "Ticket"), after)
        async for message, event_id in stream:
            yield TicketMessageType.from_model(message, event_id)
