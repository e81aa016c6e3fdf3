"""Messages the sandbox notifier 'sent' (SMS and email), readable by tests and the dev banner."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class SandboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    recipient = fields.CharField(max_length=254, db_index=True)
    purpose = fields.CharField(max_length=40)
    text = fields.TextField()
    sent_at = created_at_field()

    class Meta:
        table = "sandbox_messages"
