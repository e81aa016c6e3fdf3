"""Outbound webhooks through the public API: endpoints, signed deliveries from the outbox,
retries with backoff sent by the job runner at injected times, the attempt log, replay,
disabling after 3 days of failures, and the events feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from app import background, clock
from app.jobs.registry import run_once
from app.merchant_platform.events import record_merchant_event
from examples.merchant_server import EventInbox, verify_signature, webhook_app
from models import SandboxMessage
from tests.factories import make_merchant, token_for
from tests.harness.graphql import user_error_codes

from .helpers import CREATE_ENDPOINT, DELETE_ENDPOINT, DELIVERIES, EVENTS, REPLAY
from .receiver import Scripted, serve

T0 = datetime(2026, 12, 1, 2, 0, 0, tzinfo=UTC)
ORDER = {"order": {"outTradeNo": "SHOP-1001", "amount": "25.80", "status": "PAID"}}


async def _endpoint(gql, token: str, url: str, events: list[str]) -> tuple[str, str]:  # noqa: ANN001
    payload = await gql.mutate(CREATE_ENDPOINT, {"input": {"url": url, "events": events}}, token=token)
    assert payload["errors"] == [], payload
    return payload["endpoint"]["id"], payload["secret"]


def _frozen_seconds() -> float:
    return clock.now().timestamp()


async def test_500_three_times_then_200_is_seen_once_with_four_attempts_logged(gql) -> None:  # noqa: ANN001
    merchant, owner = await make_merchant()
    token = token_for(owner)
    inbox = EventInbox()
    receiver = Scripted(webhook_app("unused", inbox), [500, 500, 500])
    async with serve(receiver) as base:
        _, secret = await _endpoint(gql, token, f"{base}/fenpay/webhook", ["ORDER_PAID"])
        assert secret.startswith("whsec_")
        receiver.app = webhook_app(secret, inbox, clock=_frozen_seconds)

        clock.set_now(T0)
        event_id = await record_merchant_event(None, merchant_id=merchant.id, event_type="ORDER_PAID", data=ORDER)
        await run_once(T0)  # attempt 1 -> 500
        await run_once(T0 + timedelta(seconds=14))  # retry not due yet
        assert len(receiver.requests) == 1
        await run_once(T0 + timedelta(seconds=15))  # attempt 2 -> 500
        await run_once(T0 + timedelta(seconds=15 + 60))  # attempt 3 -> 500
        await run_once(T0 + timedelta(seconds=15 + 60 + 299))
        assert len(receiver.requests) == 3
        await run_once(T0 + timedelta(seconds=15 + 60 + 300))  # attempt 4 -> 200
        await run_once(T0 + timedelta(days=4))  # nothing left to send
        clock.set_now(None)

    assert len(receiver.requests) == 4
    assert inbox.received == 1 and list(inbox.events) == [event_id]
    bodies = {body for _, body in receiver.requests}
    assert len(bodies) == 1  # every attempt sent the same body
    for headers, body in receiver.requests:
        assert headers["x-fenpay-event-id"] == event_id
        timestamp = int(headers["x-fenpay-signature"].split(",")[0][2:])
        verify_signature(secret, headers["x-fenpay-signature"], body, now=timestamp)
    body = json.loads(receiver.requests[0][1])
    assert body["eventId"] == event_id and body["type"] == "ORDER_PAID" and body["order"]["outTradeNo"] == "SHOP-1001"

    data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no}, token=token)
    (edge,) = data["merchant"]["webhookDeliveries"]["edges"]
    delivery = edge["node"]
    assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 4
    assert delivery["lastResponseStatus"] == 200 and delivery["nextAttemptAt"] is None
    assert delivery["eventId"] == event_id and delivery["payload"] == receiver.requests[0][1].decode()
    log = delivery["attemptLog"]
    assert [a["responseStatus"] for a in log] == [500, 500, 500, 200]
    assert [a["succeeded"] for a in log] == [False, False, False, True]
    assert [a["number"] for a in log] == [1, 2, 3, 4]
    assert all(a["durationMs"] >= 0 for a in log)
    started = [datetime.fromisoformat(a["startedAt"]) for a in log]
    assert [s - started[0] for s in started] == [
        timedelta(0), timedelta(seconds=15), timedelta(seconds=75), timedelta(seconds=375)
    ]


async def test_retry_schedule_gives_up_after_three_days_and_disables_the_endpoint(gql) -> None:  # noqa: ANN001
    merchant, owner = await make_merchant()
    token = token_for(owner)
    receiver = Scripted(webhook_app("x"), [503] * 100)
    async with serve(receiver) as base:
        endpoint_id, _ = await _endpoint(gql, token, f"{base}/hook", ["PAYOUT_FAILED", "ORDER_PAID"])
        clock.set_now(T0)
        await record_merchant_event(None, merchant_id=merchant.id, event_type="PAYOUT_FAILED", data={})
        offsets = [0, 15, 60, 300, 1800, 7200, 21600, 86400, 86400, 86400]
        at = T0
        for offset in offsets:
            at += timedelta(seconds=offset)
            await run_once(at)
        # Within two hours the first five retries have been sent.
        assert len(receiver.requests) == 10
        await run_once(at + timedelta(days=2))
        clock.set_now(None)
    assert len(receiver.requests) == 10  # 1 + 9 retries, then FAILED
    data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no, "status": "FAILED"}, token=token)
    (edge,) = data["merchant"]["webhookDeliveries"]["edges"]
    assert edge["node"]["attempts"] == 10 and edge["node"]["lastResponseStatus"] == 503
    assert edge["node"]["nextAttemptAt"] is None
    # Failing for 3 days: disabled, and the owner told.
    (endpoint,) = data["merchant"]["webhookEndpoints"]
    assert endpoint["id"] == endpoint_id and endpoint["enabled"] is False
    messages = await SandboxMessage.filter(recipient=owner.phone, purpose="WEBHOOK_ENDPOINT_DISABLED")
    assert len(messages) == 1
    # A disabled endpoint gets no new deliveries.
    await record_merchant_event(None, merchant_id=merchant.id, event_type="ORDER_PAID", data={})
    data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no, "status": "PENDING"}, token=token)
    assert data["merchant"]["webhookDeliveries"]["totalCount"] == 0


async def test_replay_sends_the_same_event_again_and_re_enables(gql) -> None:  # noqa: ANN001
    merchant, owner = await make_merchant()
    token = token_for(owner)
    inbox = EventInbox()
    receiver = Scripted(webhook_app("unused", inbox), [500])
    async with serve(receiver) as base:
        _, secret = await _endpoint(gql, token, f"{base}/fenpay/webhook", ["REFUND_SUCCEEDED"])
        receiver.app = webhook_app(secret, inbox)
        event_id = await record_merchant_event(None, merchant_id=merchant.id, event_type="REFUND_SUCCEEDED", data={})
        await run_once(clock.now())
        data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no}, token=token)
        delivery = data["merchant"]["webhookDeliveries"]["edges"][0]["node"]
        assert delivery["status"] == "PENDING" and delivery["lastResponseStatus"] == 500

        replayed = await gql.mutate(REPLAY, {"input": {"deliveryId": delivery["id"]}}, token=token)
        assert replayed["errors"] == [] and replayed["delivery"]["status"] == "SUCCEEDED"
        assert replayed["delivery"]["attempts"] == 2 and replayed["delivery"]["eventId"] == event_id
        again = await gql.mutate(REPLAY, {"input": {"deliveryId": delivery["id"]}}, token=token)
        assert again["delivery"]["attempts"] == 3
    assert inbox.received == 2 and list(inbox.events) == [event_id]  # the receiver de-duplicated

    stranger = token_for((await make_merchant("别人的店"))[1])
    refused = await gql.mutate(REPLAY, {"input": {"deliveryId": delivery["id"]}}, token=stranger)
    assert user_error_codes(refused) == ["NOT_FOUND"]
    anonymous = await gql(REPLAY, {"input": {"deliveryId": delivery["id"]}})
    assert anonymous.error_codes() == ["UNAUTHENTICATED"]


async def test_endpoint_rules_and_deletion(gql) -> None:  # noqa: ANN001
    merchant, owner = await make_merchant()
    token = token_for(owner)
    for url in ("ftp://example.com/x", "not a url", "http://user:pw@example.com/", "", "https://" + "a" * 600):
        payload = await gql.mutate(CREATE_ENDPOINT, {"input": {"url": url, "events": ["ORDER_PAID"]}}, token=token)
        assert user_error_codes(payload) == ["WEBHOOK_URL_INVALID"], url
        assert payload["errors"][0]["field"] == ["input", "url"]
    empty = await gql.mutate(CREATE_ENDPOINT, {"input": {"url": "https://shop.example/h", "events": []}}, token=token)
    assert user_error_codes(empty) == ["VALIDATION_FAILED"]
    other = await make_merchant("别人的店")
    foreign = await gql.mutate(
        CREATE_ENDPOINT,
        {"input": {"merchantNo": other[0].merchant_no, "url": "https://a.example/h", "events": ["ORDER_PAID"]}},
        token=token,
    )
    assert user_error_codes(foreign) == ["NOT_FOUND"]

    endpoint_id, _ = await _endpoint(gql, token, "https://shop.example/hook", ["ORDER_PAID", "ORDER_CLOSED"])
    data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no}, token=token)
    assert data["merchant"]["webhookEndpoints"] == [
        {"id": endpoint_id, "url": "https://shop.example/hook", "events": ["ORDER_PAID", "ORDER_CLOSED"], "enabled": True}
    ]
    # Nobody else sees them.
    data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no}, token=token_for(other[1]))
    assert data["merchant"]["webhookEndpoints"] == [] and data["merchant"]["webhookDeliveries"]["totalCount"] == 0
    assert (await gql.mutate(DELETE_ENDPOINT, {"input": {"endpointId": endpoint_id}}, token=token_for(other[1])))[
        "errors"
    ][0]["code"] == "NOT_FOUND"
    deleted = await gql.mutate(DELETE_ENDPOINT, {"input": {"endpointId": endpoint_id}}, token=token)
    assert deleted == {"ok": True, "errors": []}
    data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no}, token=token)
    assert data["merchant"]["webhookEndpoints"] == []


async def test_production_refuses_http_and_private_targets() -> None:
    import pytest

    from app.errors import DomainError
    from app.merchant_platform.webhooks import check_webhook_url

    for url in (
        "http://shop.example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "https://[::ffff:10.0.0.1]/x",
    ):
        with pytest.raises(DomainError) as refused:
            await check_webhook_url(url, sandbox=False)
        assert refused.value.code.value == "WEBHOOK_URL_INVALID", url
    assert await check_webhook_url("https://8.8.8.8/hook", sandbox=False) == "https://8.8.8.8/hook"
    assert await check_webhook_url("http://127.0.0.1:9000/hook", sandbox=True) == "http://127.0.0.1:9000/hook"


async def test_events_feed_pages_oldest_first_for_30_days(gql) -> None:  # noqa: ANN001
    merchant, owner = await make_merchant()
    token = token_for(owner)
    clock.set_now(T0 - timedelta(days=31))
    await record_merchant_event(None, merchant_id=merchant.id, event_type="ORDER_PAID", data={"n": 0})
    clock.set_now(T0)
    ids = [
        await record_merchant_event(None, merchant_id=merchant.id, event_type="ORDER_PAID", data={"n": n})
        for n in range(1, 6)
    ]
    other, other_owner = await make_merchant("别人的店")
    await record_merchant_event(None, merchant_id=other.id, event_type="ORDER_CLOSED", data={})
    clock.set_now(T0 + timedelta(hours=1))
    token = token_for(owner)  # tokens are short-lived: one issued at the frozen time
    first = await gql.ok(EVENTS, {"no": merchant.merchant_no, "first": 3}, token=token)
    page = first["merchant"]["events"]
    assert [e["node"]["id"] for e in page["edges"]] == ids[:3] and page["pageInfo"]["hasNextPage"] is True
    rest = await gql.ok(EVENTS, {"no": merchant.merchant_no, "after": page["pageInfo"]["endCursor"]}, token=token)
    assert [e["node"]["id"] for e in rest["merchant"]["events"]["edges"]] == ids[3:]
    node = page["edges"][0]["node"]
    assert json.loads(node["payload"]) == {"eventId": ids[0], "type": "ORDER_PAID", "createdAt": T0.isoformat(), "n": 1}
    # Another merchant's owner and anonymous callers see nothing.
    for other_token in (token_for(other_owner), None):
        data = await gql.ok(EVENTS, {"no": merchant.merchant_no}, token=other_token)
        assert data["merchant"]["events"]["edges"] == []
    clock.set_now(None)


async def test_deliver_soon_after_commit_sends_without_waiting_for_the_job(gql) -> None:  # noqa: ANN001
    import asyncio

    from app.events.outbox import unit_of_work
    from app.merchant_platform import webhook_delivery

    merchant, owner = await make_merchant()
    inbox = EventInbox()
    arrived = asyncio.Event()

    class Notifying(EventInbox):
        def handle(self, event: dict) -> bool:
            first = inbox.handle(event)
            arrived.set()
            return first

    receiver = Scripted(webhook_app("unused"), [])
    async with serve(receiver) as base:
        _, secret = await _endpoint(gql, token_for(owner), f"{base}/fenpay/webhook", ["ORDER_PAID"])
        receiver.app = webhook_app(secret, Notifying())
        async with unit_of_work() as uow:
            event_id = await record_merchant_event(uow.conn, merchant_id=merchant.id, event_type="ORDER_PAID", data=ORDER)
            uow.after_commit(webhook_delivery.deliver_soon)
        await asyncio.wait_for(arrived.wait(), timeout=10)
        await background.settle()
    assert list(inbox.events) == [event_id]
    data = await gql.ok(DELIVERIES, {"no": merchant.merchant_no}, token=token_for(owner))
    assert data["merchant"]["webhookDeliveries"]["edges"][0]["node"]["status"] == "SUCCEEDED"
