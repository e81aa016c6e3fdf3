"""Risk decisions (one per checked money movement) and alerts for staff."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class RiskDecision(Model):
    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    operation = fields.CharField(max_length=20)
    amount = fields.BigIntField()
    # ALLOW, STEP_UP or REJECT, and the rule that decided.
    outcome = fields.CharField(max_length=10)
    rule = fields.CharField(max_length=40)
    created_at = created_at_field()

    class Meta:
        table = "risk_decisions"


class RiskAlert(Model):
    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=40)
    level = fields.CharField(max_length=10)
    status = fields.CharField(max_length=14, default="OPEN")
    # USER:<id>, MERCHANT:<id> or PLATFORM.
    scope = fields.CharField(max_length=40)
    message = fields.CharField(max_length=500)
    user_id = fields.BigIntField(null=True, db_index=True)
    transaction_id = fields.BigIntField(null=True)
    merchant_id = fields.BigIntField(null=True)
    # Makes an alert raised twice for the same cause one alert (e.g. one per overdue refund).
    dedupe_key = fields.CharField(max_length=100, null=True, unique=True)
    note = fields.CharField(max_length=500, null=True)
    handled_by = fields.BigIntField(null=True)
    handled_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "risk_alerts"
        indexes = (("status", "id"),)
