"""Merchant payment QR codes (seed 4.3)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class PaymentQrCode(Model):
    """A code a merchant shows; the payer's app sends the scanned ``payload`` back.

    ``status`` is ACTIVE, PAID (a fixed-amount code after its one payment; an open code
    after its first) or EXPIRED (written by the expiry job; readers also compare
    ``expires_at`` with the clock). Payments of a code point back at it through
    ``Transaction.reference_id``.
    """

    id = fields.BigIntField(primary_key=True)
    # The opaque random part of the payload; what the payer's app sends back.
    token = fields.CharField(max_length=64, unique=True)
    merchant: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Merchant", related_name="qr_codes", on_delete=fields.RESTRICT
    )
    merchant_id: int
    # Null: the payer enters the amount (fen otherwise).
    amount = fields.BigIntField(null=True)
    description = fields.CharField(max_length=100, null=True)
    status = fields.CharField(max_length=10, default="ACTIVE")
    expires_at = fields.DatetimeField()
    # The paying transaction of a fixed-amount code; the first one of an open code.
    transaction_id = fields.BigIntField(null=True)
    created_by = fields.BigIntField()
    created_at = created_at_field()

    class Meta:
        table = "payment_qr_codes"
        indexes = (("status", "expires_at"),)
