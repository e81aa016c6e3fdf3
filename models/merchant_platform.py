"""The merchant platform: API keys, orders, merchant refunds and user payment-code secrets."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class MerchantApiKey(Model):
    """A server-to-server key of a merchant. The whole key is shown once; only a keyed
    hash (HMAC-SHA256 with the server pepper) is kept, found by its ``prefix``."""

    id = fields.BigIntField(primary_key=True)
    merchant: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Merchant", related_name="api_keys", on_delete=fields.RESTRICT
    )
    merchant_id: int
    name = fields.CharField(max_length=60)
    prefix = fields.CharField(max_length=16, unique=True)
    key_hash = fields.CharField(max_length=64)
    # Space-separated ApiKeyScope names, e.g. "ORDERS REFUNDS".
    scopes = fields.CharField(max_length=100)
    created_by = fields.BigIntField()
    created_at = created_at_field()
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "merchant_api_keys"


class Order(Model):
    """A merchant's order keyed by its own ``out_trade_no``. Paid by a payer scanning its
    QR payload (source QR) or charged from a payer's payment code (source PAYMENT_CODE).

    ``status``: CREATED, AWAITING_CONFIRMATION, PAID or CLOSED. ``fee`` is fixed when paid
    (fen, half-up of amount x fee_rate_bps / 10000); ``refunded_amount`` counts merchant refunds.
    """

    id = fields.BigIntField(primary_key=True)
    merchant: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Merchant", related_name="orders", on_delete=fields.RESTRICT
    )
    merchant_id: int
    out_trade_no = fields.CharField(max_length=64)
    amount = fields.BigIntField()
    description = fields.CharField(max_length=100, null=True)
    status = fields.CharField(max_length=24, default="CREATED")
    source = fields.CharField(max_length=16, default="QR")
    # The opaque random part of the QR payload.
    token = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    # Payment-code orders: the payer whose code was charged, and whether no password was asked.
    payer_user_id = fields.BigIntField(null=True, db_index=True)
    password_free = fields.BooleanField(default=False)
    paid_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    transaction_id = fields.BigIntField(null=True)
    fee_rate_bps = fields.IntField(default=0)
    fee = fields.BigIntField(default=0)
    refunded_amount = fields.BigIntField(default=0)
    refunded_fee = fields.BigIntField(default=0)
    created_at = created_at_field()

    class Meta:
        table = "merchant_orders"
        unique_together = (("merchant_id", "out_trade_no"),)
        indexes = (("status", "expires_at"),)


class MerchantRefund(Model):
    """Money a merchant gives back on an order, keyed by its own ``out_refund_no``.

    ``fee_refund`` is the part of the order's fee returned with it (pro rata)."""

    id = fields.BigIntField(primary_key=True)
    merchant: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Merchant", related_name="merchant_refunds", on_delete=fields.RESTRICT
    )
    merchant_id: int
    order: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Order", related_name="refunds", on_delete=fields.RESTRICT
    )
    order_id: int
    out_refund_no = fields.CharField(max_length=64)
    amount = fields.BigIntField()
    fee_refund = fields.BigIntField(default=0)
    reason = fields.CharField(max_length=100, null=True)
    status = fields.CharField(max_length=12)
    transaction_id = fields.BigIntField(null=True)
    created_at = created_at_field()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "merchant_refunds"
        unique_together = (("merchant_id", "out_refund_no"),)


class PaymentCodeSecret(Model):
    """A user's payment-code secret (AES-GCM at rest). ``locator`` (8 random digits) is the
    part of every code that names the secret; ``last_used_step`` makes each code single use."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(unique=True)
    locator = fields.CharField(max_length=8, unique=True)
    secret_enc = fields.TextField()
    last_used_step = fields.BigIntField(default=0)
    created_at = created_at_field()

    class Meta:
        table = "payment_code_secrets"
