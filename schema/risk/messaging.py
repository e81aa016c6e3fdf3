"""Messages that could not be delivered (dead letters), for staff."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.masking import mask_email, mask_phone
from models.messaging import OutboundMessage


@strawberry.type(name="UndeliveredMessage", description="An SMS or email that was given up on (never its text: it may hold a code).")
class UndeliveredMessageType:
    channel: str = strawberry.field(description="SMS or EMAIL.")
    recipient: str = strawberry.field(description="Masked phone number or email address.")
    purpose: str
    attempts: int
    last_error: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, row: OutboundMessage) -> UndeliveredMessageType:
        masked = mask_email(row.recipient) if "@" in row.recipient else mask_phone(row.recipient)
        return cls(channel=row.channel, recipient=masked, purpose=row.purpose, attempts=row.attempts,
                   last_error=row.last_error, created_at=row.created_at)
