"""Refund requests and their review."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class Refund(Model):
    id = fields.BigIntField(primary_key=True)
    refund_no = fields.CharField(max_length=32, unique=True)
    # The transaction being refunded and the REFUND transaction that returns the money.
    transaction: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Transaction", related_name="refund_requests", on_delete=fields.RESTRICT
    )
    transaction_id: int
    refund_transaction_id = fields.BigIntField(null=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="refunds", on_delete=fields.RESTRICT
    )
    user_id: int
    amount = fields.BigIntField()
    reason = fields.CharField(max_length=24)
    description = fields.CharField(max_length=500, null=True)
    status = fields.CharField(max_length=16, default="PENDING_REVIEW")
    review_deadline = fields.DatetimeField()
    review_note = fields.CharField(max_length=500, null=True)
    reviewer_id = fields.BigIntField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    overdue = fields.BooleanField(default=False)
    created_at = created_at_field()

    class Meta:
        table = "refunds"
        # Review queue (earliest deadline first), a user's refunds (newest first), a transaction's refunds.
        indexes = (("status", "review_deadline", "id"), ("user_id", "id"), ("transaction_id", "id"))
