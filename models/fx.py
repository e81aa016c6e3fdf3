"""Cross-border quotes: a locked exchange rate for one payment to a foreign merchant."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class FxQuote(Model):
    """One quote (amounts are integers in each currency's minor unit).

    ``cny_amount`` fen is what the payer's wallet is debited, ``merchant_amount`` what the
    merchant's account (in ``currency``) is credited; ``rate`` is CNY per 1 unit of
    ``currency`` as a 6-decimal string. ``transaction_id`` is set once, by the one conditional
    UPDATE of the payment that uses the quote (unique: a quote pays one payment);
    ``used_at`` is that payment's time (the annual limit sums quotes used in a year).
    """

    id = fields.BigIntField(primary_key=True)
    quote_no = fields.CharField(max_length=40, unique=True)
    user_id = fields.BigIntField()
    merchant_id = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    cny_amount = fields.BigIntField()
    merchant_amount = fields.BigIntField()
    rate = fields.CharField(max_length=24)
    # The payment QR code the quote was made for (null: by merchant number).
    qr_code_id = fields.BigIntField(null=True)
    expires_at = fields.DatetimeField()
    transaction_id = fields.BigIntField(null=True, unique=True)
    used_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "fx_quotes"
        indexes = (("user_id", "used_at"),)
