"""FaqEntry, ContactChannel, Ticket and TicketMessage types, their enums, inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.support.contact import ContactChannel
from models.support import FaqEntry, Ticket, TicketMessage
from resolvers import support as support_resolvers

from ..context import Info
from ..errors import UserError
from ..node import Node, register_node, to_global_id
from ..pagination import Connection

if TYPE_CHECKING:
    from ..money.types import TransactionType


@strawberry.enum(name="TicketKind")
class TicketKindEnum(Enum):
    FEEDBACK = "FEEDBACK"
    COMPLAINT = "COMPLAINT"


@strawberry.enum(name="TicketStatus")
class TicketStatusEnum(Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


@strawberry.enum(name="ContactChannelKind")
class ContactChannelKindEnum(Enum):
    PHONE = "PHONE"
    ONLINE_CHAT = "ONLINE_CHAT"
    EMAIL = "EMAIL"
    OFFICIAL_ACCOUNT = "OFFICIAL_ACCOUNT"


@strawberry.type(name="FaqEntry")
class FaqEntryType:
    id: strawberry.ID
    question: str
    answer: str
    category: str

    @classmethod
    def from_model(cls, entry: FaqEntry) -> FaqEntryType:
        return cls(
            id=to_global_id("FaqEntry", entry.id),
            question=entry.question,
            answer=entry.answer,
            category=entry.category,
        )


@strawberry.type(name="ContactChannel", description="One way to reach customer service (seed 8.2).")
class ContactChannelType:
    kind: ContactChannelKindEnum
    label: str
    value: str = strawberry.field(description="Phone number, email address, chat URL or official-account name.")
    description: str

    @classmethod
    def from_channel(cls, channel: ContactChannel) -> ContactChannelType:
        return cls(
            kind=ContactChannelKindEnum(channel.kind),
            label=channel.label,
            value=channel.value,
            description=channel.description,
        )


@strawberry.type(name="TicketMessage")
class TicketMessageType:
    id: strawberry.ID
    from_staff: bool = strawberry.field(description="True when written by platform staff.")
    body: str
    created_at: datetime
    event_id: str | None = strawberry.field(
        default=None,
        description="On ticketMessages pushes: the event cursor to pass as `after` when resubscribing.",
    )

    @classmethod
    def from_model(cls, message: TicketMessage, event_id: int | None = None) -> TicketMessageType:
        return cls(
            id=to_global_id("TicketMessage", message.id),
            from_staff=message.from_staff,
            body=message.body,
            created_at=message.created_at,
            event_id=str(event_id) if event_id is not None else None,
        )


@strawberry.type(name="Ticket")
class TicketType(Node):
    _model: strawberry.Private[Ticket]
    id: strawberry.ID
    ticket_no: str
    kind: TicketKindEnum
    subject: str
    status: TicketStatusEnum
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, ticket: Ticket) -> TicketType:
        return cls(
            _model=ticket,
            id=to_global_id("Ticket", ticket.id),
            ticket_no=ticket.ticket_no,
            kind=TicketKindEnum(ticket.kind),
            subject=ticket.subject,
            status=TicketStatusEnum(ticket.status),
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
        )

    @strawberry.field(description="The conversation, oldest first (the first message is the ticket's body).")
    async def messages(self) -> list[TicketMessageType]:
        return [TicketMessageType.from_model(m) for m in await support_resolvers.messages(self._model)]

    @strawberry.field(
        description="Read it with the messages, pass it as `after` to ticketMessages: nothing sent in between is lost."
    )
    async def event_cursor(self) -> str:
        return await support_resolvers.ticket_event_cursor(self._model)

    @strawberry.field(description="The transaction the ticket is about, as its owner sees it.")
    async def transaction(
        self,
    ) -> Annotated[TransactionType, strawberry.lazy("schema.money.types")] | None:
        from ..money.types import TransactionType

        found = await support_resolvers.transaction(self._model)
        if found is None:
            return None
        tx, perspective = found
        return TransactionType.from_model(tx, perspective)


TicketConnection = Connection[TicketType]


@register_node("Ticket")
async def load_ticket(info: Info, pk: int) -> TicketType | None:
    ticket = await support_resolvers.ticket_node(info.context, pk)
    return TicketType.from_model(ticket) if ticket else None


@strawberry.input
class SubmitTicketInput:
    kind: TicketKindEnum
    subject: str = strawberry.field(description="1-100 characters.")
    body: str = strawberry.field(description="1-2000 characters.")
    transaction_no: str | None = strawberry.field(
        default=None, description="One of the viewer's own transactions the ticket is about."
    )


@strawberry.input
class ReplyTicketInput:
    ticket_id: strawberry.ID
    body: str = strawberry.field(description="1-2000 characters.")


@strawberry.input
class UpdateTicketStatusInput:
    ticket_id: strawberry.ID
    status: TicketStatusEnum


@strawberry.type
class TicketPayload:
    ticket: TicketType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
