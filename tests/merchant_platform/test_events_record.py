"""record_merchant_event: the event row and one pending delivery per subscribed, enabled endpoint,
all in the caller's transaction."""

from __future__ import annotations

import json

import pytest

from app import clock, crypto, db
from app.merchant_platform.events import UnknownEventType, record_merchant_event
from models.merchant_platform_events import MerchantEvent, WebhookDelivery, WebhookEndpoint
from tests.factories import make_merchant


async def _merchant() -> int:
    merchant, _ = await make_merchant("测试商店", category="零售")
    return merchant.id


async def _endpoint(merchant_id: int, events: list[str], *, enabled: bool = True) -> WebhookEndpoint:
    return await WebhookEndpoint.create(
        merchant_id=merchant_id,
        url="http://127.0.0.1:9/hook",
        events=events,
        secret_encrypted=crypto.encrypt("whsec_test"),
        enabled=enabled,
    )


async def test_event_and_deliveries_for_subscribed_enabled_endpoints() -> None:
    merchant_id = await _merchant()
    other_id = await _merchant()
    paid = await _endpoint(merchant_id, ["ORDER_PAID", "REFUND_SUCCEEDED"])
    await _endpoint(merchant_id, ["PAYOUT_PAID"])  # not subscribed to ORDER_PAID
    await _endpoint(merchant_id, ["ORDER_PAID"], enabled=False)  # disabled
    await _endpoint(other_id, ["ORDER_PAID"])  # another merchant's
    data = {"order": {"outTradeNo": "T-1", "amount": "12.30", "description": "咖啡"}}

    async with db.atomic() as conn:
        event_id = await record_merchant_event(conn, merchant_id=merchant_id, event_type="ORDER_PAID", data=data)

    assert event_id.startswith("evt_") and len(event_id) == 28
    event = await MerchantEvent.get(event_id=event_id)
    body = json.loads(event.payload)
    assert body["eventId"] == event_id and body["type"] == "ORDER_PAID"
    assert body["order"] == data["order"]
    assert body["createdAt"] == event.created_at.isoformat()
    deliveries = await WebhookDelivery.filter(event_id=event.id)
    assert [d.endpoint_id for d in deliveries] == [paid.id]
    assert deliveries[0].status == "PENDING" and deliveries[0].attempts == 0
    assert deliveries[0].next_attempt_at == event.created_at


async def test_rolled_back_caller_leaves_nothing() -> None:
    merchant_id = await _merchant()
    await _endpoint(merchant_id, ["PAYOUT_FAILED"])
    with pytest.raises(RuntimeError):
        async with db.atomic() as conn:
            await record_merchant_event(conn, merchant_id=merchant_id, event_type="PAYOUT_FAILED", data={})
            raise RuntimeError("the caller's change failed")
    assert await MerchantEvent.all().count() == 0
    assert await WebhookDelivery.all().count() == 0


async def test_event_ids_are_distinct_and_times_come_from_the_clock() -> None:
    merchant_id = await _merchant()
    ids = {
        await record_merchant_event(None, merchant_id=merchant_id, event_type="ORDER_CLOSED", data={})
        for _ in range(5)
    }
    assert len(ids) == 5
    instant = clock.now().replace(year=2026, month=11, day=1, microsecond=0)
    clock.set_now(instant)
    event_id = await record_merchant_event(None, merchant_id=merchant_id, event_type="ORDER_CLOSED", data={})
    assert (await MerchantEvent.get(event_id=event_id)).created_at == instant


async def test_unknown_type_and_reserved_keys_are_refused() -> None:
    merchant_id = await _merchant()
    with pytest.raises(UnknownEventType):
        await record_merchant_event(None, merchant_id=merchant_id, event_type="ORDER_EATEN", data={})
    with pytest.raises(UnknownEventType):
        await record_merchant_event(None, merchant_id=merchant_id, event_type="ORDER_PAID", data={"eventId": "x"})
