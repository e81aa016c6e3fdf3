"""Red packets (红包): a total held from the sender's wallet, claimed share by share."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class RedPacket(Model):
    """One red packet. Amounts are integer fen.

    ``shares`` is the list of share amounts drawn when the packet was sent (they sum to
    ``amount``); the n-th claim takes ``shares[n - 1]``. ``claimed_count``/``claimed_amount``
    only grow, by one conditional UPDATE per claim (``claimed_count < count``), so concurrent
    claims can never exceed the count or the total. ``status``: OPEN, EMPTY (every share
    claimed) or EXPIRED (the unclaimed rest returned to the sender by the expiry job).
    ``recipient_id`` null: a group link anyone signed in may claim from.
    """

    id = fields.BigIntField(primary_key=True)
    packet_no = fields.CharField(max_length=32, unique=True)
    sender: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="red_packets_sent", on_delete=fields.RESTRICT
    )
    sender_id: int
    recipient: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="red_packets_addressed", null=True, on_delete=fields.RESTRICT
    )
    recipient_id: int | None
    mode = fields.CharField(max_length=10)
    amount = fields.BigIntField()
    count = fields.IntField()
    shares: fields.JSONField[Any] = fields.JSONField()
    claimed_count = fields.IntField(default=0)
    claimed_amount = fields.BigIntField(default=0)
    greeting = fields.CharField(max_length=40, null=True)
    status = fields.CharField(max_length=10, default="OPEN")
    send_transaction_id = fields.BigIntField(null=True)
    refund_transaction_id = fields.BigIntField(null=True)
    refunded_amount = fields.BigIntField(default=0)
    expires_at = fields.DatetimeField()
    created_at = created_at_field()

    class Meta:
        table = "red_packets"
        indexes = (("status", "expires_at"), ("sender_id", "created_at"))


class RedPacketClaim(Model):
    """One user's share of a packet: at most one per user (unique), ``seq`` 1..count."""

    id = fields.BigIntField(primary_key=True)
    packet: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.RedPacket", related_name="claims", on_delete=fields.RESTRICT
    )
    packet_id: int
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="red_packet_claims", on_delete=fields.RESTRICT
    )
    user_id: int
    seq = fields.IntField()
    amount = fields.BigIntField()
    transaction_id = fields.BigIntField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "red_packet_claims"
        unique_together = (("packet_id", "user_id"), ("packet_id", "seq"))
