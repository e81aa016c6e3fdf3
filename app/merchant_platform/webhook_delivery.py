"""Sending webhook deliveries from the outbox (``webhook_deliveries``), with retries and a log.

Each delivery is POSTed with the event's exact body and
``X-Fenpay-Signature: t=<unix seconds>,v1=<hex>`` where hex = HMAC-SHA256(key = endpoint
secret as UTF-8, message = ``"<t>." + body``). A 2xx answer is success; anything else
(status, refused connection, timeout) is a failed attempt, retried after
``RETRY_DELAYS`` (15 s, 1 min, 5 min, 30 min, 2 h, 6 h, then daily for 3 days), after which
the delivery is FAILED. Every attempt is logged (``webhook_attempts``: start, duration,
status, error). An endpoint whose deliveries have failed for ``DISABLE_AFTER`` (3 days)
without a success is disabled and its owner notified.

The job (``deliver_due``) claims due deliveries with a conditional update (a lease), so two
workers never send the same attempt, and sends them concurrently with no database
transaction open. ``fenpay jobs run --now T`` sends every retry due at T.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from models import Merchant, User
from models.merchant_platform_events import MerchantEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .. import background, clock, notifier, outbound_http, runtime
from ..errors import DomainError, ErrorCode, input_field
from .webhooks import check_webhook_url, endpoint_secret

log = logging.getLogger(__name__)

PENDING = "PENDING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=15),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=1),
    timedelta(days=1),
)
DISABLE_AFTER = timedelta(days=3)
# A claimed delivery is not claimed again for this long (a worker that died mid-send).
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 10.0
BATCH = 100
CONCURRENCY = 20
SIGNATURE_HEADER = "X-Fenpay-Signature"
USER_AGENT = "fenpay-webhooks/1"


def signature_header(secret: str, timestamp: int, body: str) -> str:
    """``t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``."""
    message = f"{timestamp}.".encode() + body.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def next_attempt_after(failed_in_schedule: int, now: datetime) -> datetime | None:
    """When to retry after the ``failed_in_schedule``-th failed attempt (1-based); None: give up."""
    if failed_in_schedule > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[failed_in_schedule - 1]


@dataclass(frozen=True)
class AttemptResult:
    status: int | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def _post(client: httpx.AsyncClient, endpoint: WebhookEndpoint, event: MerchantEvent) -> AttemptResult:
    started = time.monotonic()
    try:
        if not runtime.settings().sandbox:
            await check_webhook_url(endpoint.url, sandbox=False)  # DNS may have changed since creation
        timestamp = int(clock.now().timestamp())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Fenpay-Event-Id": event.event_id,
            "X-Fenpay-Event-Type": event.type,
            SIGNATURE_HEADER: signature_header(endpoint_secret(endpoint), timestamp, event.payload),
        }
        response = await client.post(endpoint.url, content=event.payload.encode(), headers=headers)
        return AttemptResult(response.status_code, None, _ms_since(started))
    except DomainError as exc:
        return AttemptResult(None, f"refused target: {exc.message}"[:200], _ms_since(started))
    except httpx.HTTPError as exc:
        return AttemptResult(None, f"{type(exc).__name__}: {exc}"[:200], _ms_since(started))


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def _record(delivery: WebhookDelivery, endpoint: WebhookEndpoint, started_at: datetime, result: AttemptResult) -> None:
    """Log the attempt and move the delivery (and the endpoint's failure run) on."""
    now = clock.now()
    attempts = delivery.attempts + 1
    await WebhookAttempt.create(
        delivery_id=delivery.id, number=attempts, started_at=started_at, duration_ms=result.duration_ms,
        response_status=result.status, error=result.error, succeeded=result.succeeded,
    )
    if result.succeeded:
        await WebhookDelivery.filter(id=delivery.id).update(
            status=SUCCEEDED, attempts=attempts, last_response_status=result.status,
            next_attempt_at=None, delivered_at=now,
        )
        await WebhookEndpoint.filter(id=endpoint.id).update(failing_since=None)
        return
    retry_at = next_attempt_after(attempts - delivery.schedule_base, now)
    await WebhookDelivery.filter(id=delivery.id).update(
        status=PENDING if retry_at else FAILED, attempts=attempts,
        last_response_status=result.status, next_attempt_at=retry_at,
    )
    await _note_endpoint_failure(endpoint, now)


async def _note_endpoint_failure(endpoint: WebhookEndpoint, now: datetime) -> None:
    fresh = await WebhookEndpoint.get(id=endpoint.id)
    if fresh.failing_since is None:
        await WebhookEndpoint.filter(id=endpoint.id, failing_since=None).update(failing_since=now)
        return
    if not fresh.enabled or now - fresh.failing_since < DISABLE_AFTER:
        return
    disabled = await WebhookEndpoint.filter(id=endpoint.id, enabled=True).update(enabled=False, disabled_at=now)
    if not disabled:
        return  # another worker disabled it
    await WebhookDelivery.filter(endpoint_id=endpoint.id, status=PENDING).update(status=FAILED, next_attempt_at=None)
    merchant = await Merchant.get(id=fresh.merchant_id)
    owner = await User.get(id=merchant.owner_id)
    await notifier.send(
        owner.phone,
        "WEBHOOK_ENDPOINT_DISABLED",
        f"【fenpay】商户 {merchant.name}（{merchant.merchant_no}）的通知地址 {fresh.url} 已连续 3 天无法送达，"
        "已停用。请修复后在商户后台重新添加或重发通知。",
    )
    log.warning("webhook endpoint %s disabled after failing since %s", fresh.id, fresh.failing_since)


async def _attempt(client: httpx.AsyncClient, delivery: WebhookDelivery) -> bool:
    endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
    event = await MerchantEvent.get(id=delivery.event_id)
    started_at = clock.now()
    result = await _post(client, endpoint, event)
    await _record(delivery, endpoint, started_at, result)
    return result.succeeded


async def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    claimed = await WebhookDelivery.filter(
        id=delivery.id, status=PENDING, attempts=delivery.attempts, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    return claimed == 1


def new_client() -> httpx.AsyncClient:
    return outbound_http.client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False)


async def deliver_due(now: datetime | None = None) -> tuple[int, int]:
    """Send every delivery due at ``now`` (default: the clock); returns (succeeded, failed attempts)."""
    now = now or clock.now()
    succeeded = failed = 0
    gate = asyncio.Semaphore(CONCURRENCY)
    async with new_client() as client:

        async def one(delivery: WebhookDelivery) -> bool | None:
            async with gate:
                if not await _claim(delivery, now):
                    return None  # another worker has it
                return await _attempt(client, delivery)

        while True:
            due = await WebhookDelivery.filter(status=PENDING, next_attempt_at__lte=now).order_by(
                "next_attempt_at", "id"
            ).limit(BATCH)
            if not due:
                break
            outcomes = await asyncio.gather(*(one(delivery) for delivery in due))
            succeeded += sum(1 for outcome in outcomes if outcome is True)
            failed += sum(1 for outcome in outcomes if outcome is False)
            if all(outcome is None for outcome in outcomes):
                break
    return succeeded, failed


async def merchant_delivery(merchant_id: int, delivery_id: int) -> WebhookDelivery:
    delivery = await WebhookDelivery.get_or_none(id=delivery_id, merchant_id=merchant_id)
    if delivery is None:
        raise DomainError(ErrorCode.NOT_FOUND, "通知记录不存在", input_field("deliveryId"))
    return delivery


async def replay(merchant_id: int, delivery_id: int) -> WebhookDelivery:
    """Send the delivery again now (same event id and body) and start a new retry schedule.

    A success re-enables an endpoint the failure rule had disabled. Deleted endpoints
    refuse (NOT_FOUND); a delivery whose attempt is in flight refuses (INVALID_STATE).
    """
    delivery = await merchant_delivery(merchant_id, delivery_id)
    endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
    if endpoint.deleted_at is not None:
        raise DomainError(ErrorCode.NOT_FOUND, "通知地址已删除，无法重发", input_field("deliveryId"))
    now = clock.now()
    taken = await WebhookDelivery.filter(id=delivery.id, attempts=delivery.attempts).update(
        status=PENDING, schedule_base=delivery.attempts, next_attempt_at=now + LEASE
    )
    if not taken:
        raise DomainError(ErrorCode.INVALID_STATE, "该通知正在发送，请稍后再试", input_field("deliveryId"))
    delivery = await WebhookDelivery.get(id=delivery.id)
    async with new_client() as client:
        if await _attempt(client, delivery) and not endpoint.enabled:
            await WebhookEndpoint.filter(id=endpoint.id).update(enabled=True, disabled_at=None, failing_since=None)
    return await WebhookDelivery.get(id=delivery.id)


async def attempt_log(delivery_id: int) -> list[WebhookAttempt]:
    return await WebhookAttempt.filter(delivery_id=delivery_id).order_by("number")


_background: asyncio.Task[None] | None = None
_requested_again = False


async def deliver_soon() -> None:
    """Start sending due deliveries now, in the background of this process.

    For ``uow.after_commit(deliver_soon)`` right after the transaction that recorded an event
    commits, so a webhook leaves within milliseconds instead of at the job's next run. Safe
    with other processes and the job (each attempt is claimed); returns at once; one
    background run per process (a request arriving during a run makes it run once more)."""
    global _background, _requested_again
    if _background is not None and not _background.done():
        _requested_again = True
        return
    _background = background.spawn(_drain(), name="webhook-deliveries")


async def _drain() -> None:
    global _requested_again
    while True:
        _requested_again = False
        try:
            await deliver_due()
        except Exception:  # the job sends whatever this run could not
            log.exception("background webhook delivery failed")
        if not _requested_again:
            return
