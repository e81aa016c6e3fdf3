"""Bound bank cards. The number is encrypted at rest with a keyed blind index for duplicates."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class BankCard(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="bank_cards", on_delete=fields.RESTRICT
    )
    user_id: int
    bank_name = fields.CharField(max_length=60)
    number_enc = fields.TextField()
    number_index = fields.CharField(max_length=64, unique=True)
    masked_number = fields.CharField(max_length=32)
    last4 = fields.CharField(max_length=4)
    holder_name_enc = fields.TextField()
    reserved_phone = fields.CharField(max_length=20)
    is_default = fields.BooleanField(default=False)
    created_at = created_at_field()

    class Meta:
        table = "bank_cards"
