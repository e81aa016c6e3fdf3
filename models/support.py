"""Customer service: FAQ entries, feedback/complaint tickets and their messages."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class FaqEntry(Model):
    """One question and answer, loaded from the shipped data file (keyed by ``key``)."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=60, unique=True)
    category = fields.CharField(max_length=30)
    question = fields.CharField(max_length=200)
    answer = fields.TextField()
    # Simplified-script copy of question and answer, lower-cased: what searches match against.
    search_text = fields.TextField()
    position = fields.IntField(default=0)

    class Meta:
        table = "faq_entries"


class Ticket(Model):
    id = fields.BigIntField(primary_key=True)
    ticket_no = fields.CharField(max_length=32, unique=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="tickets", on_delete=fields.RESTRICT
    )
    user_id: int
    # FEEDBACK or COMPLAINT.
    kind = fields.CharField(max_length=10)
    subject = fields.CharField(max_length=100)
    # OPEN, IN_PROGRESS, RESOLVED or CLOSED.
    status = fields.CharField(max_length=12, default="OPEN")
    transaction: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Transaction", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    transaction_id: int | None
    # The service level is measured to the first staff reply.
    first_staff_reply_at = fields.DatetimeField(null=True)
    # Set once the unanswered-complaint alert has been raised, so the job skips the ticket.
    sla_alerted_at = fields.DatetimeField(null=True)
    created_at = created_at_field()
    updated_at = created_at_field()

    class Meta:
        table = "tickets"
        indexes = (("user_id", "id"), ("status", "id"), ("kind", "first_staff_reply_at", "created_at"))


class TicketMessage(Model):
    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="messages", on_delete=fields.RESTRICT
    )
    ticket_id: int
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="ticket_messages", on_delete=fields.RESTRICT
    )
    author_id: int
    from_staff = fields.BooleanField(default=False)
    body = fields.TextField()
    created_at = created_at_field()

    class Meta:
        table = "ticket_messages"
        indexes = (("ticket_id", "id"),)
