"""Append-only audit trail (who, what, when, from where)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class AuditRecord(Model):
    id = fields.BigIntField(primary_key=True)
    actor_id = fields.BigIntField(null=True, db_index=True)
    subject_user_id = fields.BigIntField(null=True, db_index=True)
    action = fields.CharField(max_length=60)
    ip = fields.CharField(max_length=64, null=True)
    details = fields.JSONField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "audit_records"
