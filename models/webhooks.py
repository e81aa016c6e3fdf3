"""Webhook deliveries already handled (provider event ids), so each event acts once."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class WebhookEvent(Model):
    id = fields.BigIntField(primary_key=True)
    # THIRD_PARTY or OFFLINE_DEPOSIT: who sent it.
    source = fields.CharField(max_length=20)
    event_id = fields.CharField(max_length=64)
    type = fields.CharField(max_length=40)
    reference = fields.CharField(max_length=64)
    transaction_id = fields.BigIntField(null=True)
    # PROCESSED (it moved the transaction) or IGNORED (the transaction was no longer pending).
    outcome = fields.CharField(max_length=12)
    received_at = created_at_field()

    class Meta:
        table = "webhook_events"
        unique_together = (("source", "event_id"),)
