"""Messages to people (SMS, email) waiting for, or done with, delivery through a real channel."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class OutboundMessage(Model):
    """One SMS or email. Written in the transaction that decided to send it; a delivery job
    claims it (status SENDING with a lease), sends it once and marks it SENT, or retries with
    backoff and finally marks it DEAD (a dead letter staff can see)."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=8)  # SMS | EMAIL
    recipient = fields.CharField(max_length=254)
    purpose = fields.CharField(max_length=40)
    text = fields.TextField()
    params: fields.JSONField[Any] = fields.JSONField(default=dict)
    """Template parameters (e.g. {"code": "123456"}) for providers that send by template."""
    status = fields.CharField(max_length=8, default="PENDING", db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    lease_until = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=300, null=True)
    created_at = created_at_field()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbound_messages"
