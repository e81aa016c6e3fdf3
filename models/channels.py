"""External rails: when a movement started waiting on a channel, and the sandbox channels' own memory."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class RailAttempt(Model):
    """A movement that entered PROCESSING later than it was created (a bank-card withdrawal
    claimed for payout): the recovery job measures its age from ``started_at``."""

    id = fields.BigIntField(primary_key=True)
    transaction_id = fields.BigIntField(unique=True)
    started_at = created_at_field()

    class Meta:
        table = "rail_attempts"


class SandboxChannelOperation(Model):
    """What a sandbox channel did for one reference (our transaction number), so ``query``
    answers truthfully after a timeout, a crash or a restart, from any process."""

    id = fields.BigIntField(primary_key=True)
    # sandbox-bank or sandbox-third-party
    provider = fields.CharField(max_length=24)
    reference = fields.CharField(max_length=64)
    # CHARGE or PAYOUT
    operation = fields.CharField(max_length=12)
    amount = fields.BigIntField()
    # SUCCEEDED, DECLINED or INSUFFICIENT_FUNDS
    status = fields.CharField(max_length=20)
    created_at = created_at_field()

    class Meta:
        table = "sandbox_channel_operations"
        unique_together = (("provider", "reference"),)
