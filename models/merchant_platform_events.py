"""Merchant events and their outbound webhooks: endpoints, deliveries (the outbox) and attempts."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class MerchantEvent(Model):
    """Something a merchant is told about (ORDER_PAID, PAYOUT_FAILED ...), kept for the events feed.

    ``payload`` is the exact JSON body every webhook delivery of the event sends.
    """

    id = fields.BigIntField(primary_key=True)
    # Stable public id ("evt_" + 24 hex): the webhook eventId receivers de-duplicate on.
    event_id = fields.CharField(max_length=40, unique=True)
    merchant_id = fields.BigIntField()
    type = fields.CharField(max_length=24)
    payload = fields.TextField()
    created_at = created_at_field()

    class Meta:
        table = "merchant_events"
        indexes = (("merchant_id", "id"),)


class WebhookEndpoint(Model):
    """A URL of a merchant's server that wants some event types, signed with its own secret."""

    id = fields.BigIntField(primary_key=True)
    merchant_id = fields.BigIntField(db_index=True)
    url = fields.CharField(max_length=500)
    # Subscribed event types, e.g. ["ORDER_PAID", "REFUND_SUCCEEDED"].
    events: fields.JSONField[Any] = fields.JSONField()
    # The signing secret, encrypted at rest (app.crypto); shown to the merchant once.
    secret_encrypted = fields.TextField()
    enabled = fields.BooleanField(default=True)
    # Start of the current run of failed deliveries (null while the endpoint answers 2xx).
    failing_since = fields.DatetimeField(null=True)
    disabled_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "webhook_endpoints"


class WebhookDelivery(Model):
    """One event to one endpoint: PENDING until a 2xx answer (SUCCEEDED) or the retries run out (FAILED)."""

    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.RESTRICT
    )
    endpoint_id: int
    event: fields.ForeignKeyRelation[MerchantEvent] = fields.ForeignKeyField(
        "models.MerchantEvent", related_name="deliveries", on_delete=fields.RESTRICT
    )
    event_id: int
    merchant_id = fields.BigIntField()
    status = fields.CharField(max_length=10, default="PENDING")
    attempts = fields.IntField(default=0)
    # Attempts made before the current retry schedule began (a replay starts a new schedule).
    schedule_base = fields.IntField(default=0)
    last_response_status = fields.IntField(null=True)
    # When the delivery job sends it next (null once SUCCEEDED or FAILED).
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "webhook_deliveries"
        indexes = (("merchant_id", "id"),)


class WebhookAttempt(Model):
    """The log of one HTTP attempt of a delivery: when, how long, what came back."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempt_log", on_delete=fields.RESTRICT
    )
    delivery_id: int
    number = fields.IntField()
    started_at = fields.DatetimeField()
    duration_ms = fields.IntField()
    # HTTP status, or null when no answer came (connection refused, timeout).
    response_status = fields.IntField(null=True)
    error = fields.CharField(max_length=200, null=True)
    succeeded = fields.BooleanField()

    class Meta:
        table = "webhook_attempts"
