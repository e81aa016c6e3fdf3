"""Merchant events: what a merchant is told, written with the change it announces.

``record_merchant_event`` writes, in the caller's database transaction, the event row
(stable id ``evt_<24 hex>``, type, the exact JSON body webhooks send) and one PENDING
webhook delivery per enabled endpoint of the merchant subscribed to the type. The
delivery job (``webhook_delivery``) sends them after commit; the events feed
(``Merchant.events``) lists the same rows for 30 days.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from models.merchant_platform_events import MerchantEvent, WebhookDelivery, WebhookEndpoint

from .. import clock
from ..db import Conn

ORDER_PAID = "ORDER_PAID"
ORDER_CLOSED = "ORDER_CLOSED"
REFUND_SUCCEEDED = "REFUND_SUCCEEDED"
REFUND_FAILED = "REFUND_FAILED"
PAYOUT_PAID = "PAYOUT_PAID"
PAYOUT_FAILED = "PAYOUT_FAILED"

EVENT_TYPES = (ORDER_PAID, ORDER_CLOSED, REFUND_SUCCEEDED, REFUND_FAILED, PAYOUT_PAID, PAYOUT_FAILED)

# How long the events feed keeps an event readable.
FEED_RETENTION = timedelta(days=30)

_RESERVED_KEYS = ("eventId", "type", "createdAt")


class UnknownEventType(ValueError):
    """A programming error: an event type outside ``EVENT_TYPES`` or a payload using a reserved key."""


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def event_body(event_id: str, event_type: str, created_at: datetime, data: dict[str, Any]) -> str:
    """The webhook body: ``{"eventId", "type", "createdAt", **data}`` as compact UTF-8 JSON.

    ``createdAt`` is ISO 8601 UTC. ``data`` holds the object, e.g. ``{"order": {"outTradeNo": ...,
    "amount": "12.30", ...}}`` (amounts as Money strings, never floats).
    """
    body = {"eventId": event_id, "type": event_type, "createdAt": created_at.isoformat(), **data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


async def record_merchant_event(conn: Conn, *, merchant_id: int, event_type: str, data: dict[str, Any]) -> str:
    """Write the event and its pending deliveries in the caller's transaction; returns the event id.

    ``conn``: the Tortoise connection of the caller's open transaction (or None for the
    default connection). ``event_type``: one of ``EVENT_TYPES``. ``data``: JSON-serialisable
    object map merged into the body (must not use eventId/type/createdAt).
    Raises ``UnknownEventType`` (a bug in the caller, not a client error).
    """
    if event_type not in EVENT_TYPES:
        raise UnknownEventType(f"unknown merchant event type {event_type!r}")
    if any(key in data for key in _RESERVED_KEYS):
        raise UnknownEventType(f"event data may not set {_RESERVED_KEYS}")
    now = clock.now()
    event_id = new_event_id()
    event = await MerchantEvent.create(
        event_id=event_id,
        merchant_id=merchant_id,
        type=event_type,
        payload=event_body(event_id, event_type, now, data),
        created_at=now,
        using_db=conn,
    )
    endpoints = await WebhookEndpoint.filter(
        merchant_id=merchant_id, enabled=True, deleted_at=None
    ).using_db(conn)
    wanted = [endpoint for endpoint in endpoints if event_type in (endpoint.events or [])]
    if wanted:
        await WebhookDelivery.bulk_create(
            [
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_id=event.id,
                    merchant_id=merchant_id,
                    status="PENDING",
                    next_attempt_at=now,
                    created_at=now,
                )
                for endpoint in wanted
            ],
            using_db=conn,
        )
    return event_id


async def record_and_send(uow: Any, *, merchant_id: int, event_type: str, data: dict[str, Any]) -> str:
    """``record_merchant_event`` in the unit of work ``uow`` (app.events.outbox), and start sending
    its webhooks as soon as ``uow`` commits (the delivery job sends retries and anything missed)."""
    from .webhook_delivery import deliver_soon

    event_id = await record_merchant_event(uow.conn, merchant_id=merchant_id, event_type=event_type, data=data)
    uow.after_commit(deliver_soon)
    return event_id
