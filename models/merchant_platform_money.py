"""Merchant payouts (merchant account balance to the owner's bank card) and daily statements (对账单)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class Payout(Model):
    """A payout of a merchant account's balance; its money moves in ``transaction`` (type PAYOUT).

    PROCESSING (held out of available) -> PAID | FAILED (released back to available).
    """

    id = fields.BigIntField(primary_key=True)
    merchant_id = fields.BigIntField()
    transaction_id = fields.BigIntField(unique=True)
    bank_card_id = fields.BigIntField()
    amount = fields.BigIntField()
    fee = fields.BigIntField(default=0)
    status = fields.CharField(max_length=12, default="PROCESSING")
    expected_arrival_at = fields.DatetimeField()
    paid_at = fields.DatetimeField(null=True)
    failure_reason = fields.CharField(max_length=200, null=True)
    created_at = created_at_field()

    class Meta:
        table = "merchant_payouts"
        indexes = (("merchant_id", "id"),)


class MerchantStatement(Model):
    """One China calendar day of a merchant's money, built once by the day-end job.

    Amounts in fen: ``gross`` (orders), ``refunds``, ``fees`` (of orders paid that day),
    ``payouts``; ``ledger_change`` is the sum of the day's postings on the merchant account.
    ``csv`` is the downloadable file (UTF-8 with BOM).
    """

    id = fields.BigIntField(primary_key=True)
    merchant_id = fields.BigIntField()
    day = fields.CharField(max_length=10)
    order_count = fields.IntField()
    gross = fields.BigIntField()
    refunds = fields.BigIntField()
    fees = fields.BigIntField()
    payouts = fields.BigIntField()
    ledger_change = fields.BigIntField()
    # The merchant account's currency (the amounts above are in its minor unit) and, for a
    # foreign one, what the day's payments and refunds were in CNY fen (cross-border, app/fx/).
    currency = fields.CharField(max_length=3, default="CNY", db_default="CNY")
    gross_cny = fields.BigIntField(default=0, db_default=0)
    refunds_cny = fields.BigIntField(default=0, db_default=0)
    csv = fields.TextField()
    created_at = created_at_field()

    class Meta:
        table = "merchant_statements"
        unique_together = (("merchant_id", "day"),)
