"""One-time verification codes (stored hashed)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class VerificationCode(Model):
    id = fields.BigIntField(primary_key=True)
    recipient = fields.CharField(max_length=254)
    purpose = fields.CharField(max_length=30)
    code_hash = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    used_at = fields.DatetimeField(null=True)
    dead = fields.BooleanField(default=False)
    created_at = created_at_field()

    class Meta:
        table = "verification_codes"
        indexes = (("recipient", "purpose", "created_at"),)
