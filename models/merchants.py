"""Merchants and their merchant accounts."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class Merchant(Model):
    id = fields.BigIntField(primary_key=True)
    merchant_no = fields.CharField(max_length=20, unique=True)
    name = fields.CharField(max_length=100)
    category = fields.CharField(max_length=60)
    owner: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="merchants", on_delete=fields.RESTRICT
    )
    owner_id: int
    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Account", related_name="merchant", on_delete=fields.RESTRICT
    )
    account_id: int
    # Fee on each paid order in basis points (60 = 0.6 %), set by an ADMIN.
    fee_rate_bps = fields.IntField(default=60)
    created_at = created_at_field()

    class Meta:
        table = "merchants"
