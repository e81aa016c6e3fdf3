"""Requests to pay (AA 收款): one requester asks one or more payers for fixed amounts."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class PayRequest(Model):
    """A request to pay. ``amount`` is the sum of its items (fen). ``status``: OPEN until
    every item is settled (then SETTLED) or it expires (EXPIRED: its pending items too)."""

    id = fields.BigIntField(primary_key=True)
    request_no = fields.CharField(max_length=32, unique=True)
    requester: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="pay_requests_sent", on_delete=fields.RESTRICT
    )
    requester_id: int
    amount = fields.BigIntField()
    note = fields.CharField(max_length=100, null=True)
    status = fields.CharField(max_length=10, default="OPEN")
    expires_at = fields.DatetimeField()
    created_at = created_at_field()

    class Meta:
        table = "pay_requests"
        indexes = (("status", "expires_at"), ("requester_id", "created_at"))


class PayRequestItem(Model):
    """One payer's part: PENDING, then PAID (``transaction_id``: the linked transfer),
    DECLINED or EXPIRED. Each state change is one conditional UPDATE from PENDING."""

    id = fields.BigIntField(primary_key=True)
    request: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.PayRequest", related_name="items", on_delete=fields.RESTRICT
    )
    request_id: int
    payer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="pay_request_items", on_delete=fields.RESTRICT
    )
    payer_id: int
    amount = fields.BigIntField()
    status = fields.CharField(max_length=10, default="PENDING")
    transaction_id = fields.BigIntField(null=True)
    settled_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "pay_request_items"
        unique_together = (("request_id", "payer_id"),)
        indexes = (("payer_id", "status"),)
