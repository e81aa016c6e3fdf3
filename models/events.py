"""Outbox: events written in the same transaction as the change they announce."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class OutboxEvent(Model):
    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=120)
    payload: fields.JSONField[Any] = fields.JSONField()
    published_at = fields.DatetimeField(null=True, db_index=True)
    created_at = created_at_field()

    class Meta:
        table = "outbox_events"
