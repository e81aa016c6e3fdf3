"""Saved payees (常用收款人) of a user's transfers."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class SavedPayee(Model):
    """A transfer recipient the user saved: the recipient's wallet, plus the user's own label."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    payee_account_id = fields.BigIntField()
    alias = fields.CharField(max_length=30, null=True)
    created_at = created_at_field()

    class Meta:
        table = "saved_payees"
        unique_together = (("user_id", "payee_account_id"),)
