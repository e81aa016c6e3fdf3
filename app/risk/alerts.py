"""The one place alerts are raised. Each is stored and pushed to risk staff after commit."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator

from tortoise.exceptions import IntegrityError

from models.risk import RiskAlert

from ..events import resume
from ..events.outbox import unit_of_work

LEVELS = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
TOPIC = "risk-alerts"


def user_scope(user_id: int) -> str:
    return f"USER:{user_id}"


def merchant_scope(merchant_id: int) -> str:
    return f"MERCHANT:{merchant_id}"


PLATFORM = "PLATFORM"


async def raise_alert(
    type: str,
    level: str,
    message: str,
    *,
    scope: str | None = None,
    user_id: int | None = None,
    transaction_id: int | None = None,
    merchant_id: int | None = None,
    dedupe_key: str | None = None,
) -> RiskAlert | None:
    """Store an alert (type: a stable rule name). Returns None if ``dedupe_key`` was raised before."""
    if level not in LEVELS:
        raise ValueError(f"unknown alert level {level}")
    if scope is None:
        scope = merchant_scope(merchant_id) if merchant_id else user_scope(user_id) if user_id else PLATFORM
    if dedupe_key is not None and await RiskAlert.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        async with unit_of_work() as uow:
            alert = await RiskAlert.create(
                type=type,
                level=level,
                scope=scope,
                message=message[:500],
                user_id=user_id,
                transaction_id=transaction_id,
                merchant_id=merchant_id,
                dedupe_key=dedupe_key,
                using_db=uow.conn,
            )
            await uow.emit(TOPIC, {"alertId": alert.id})
    except IntegrityError:
        if dedupe_key is not None:
            return None  # raised concurrently by another process for the same cause
        raise
    return alert


async def alerts_event_cursor() -> str:
    """The cursor to pass as ``after`` to resume the alert stream from this read of the alerts."""
    return await resume.topic_cursor(TOPIC)


async def watch_alerts(after: int | None = None) -> AsyncIterator[tuple[RiskAlert, int | None]]:
    """(alert, outbox event id) for each newly raised alert once, as it is published, or since
    event ``after`` first (the outbox may deliver twice)."""
    seen: deque[int] = deque(maxlen=1000)
    async for message in resume.subscribe(TOPIC, after):
        alert_id = message.get("alertId")
        if not isinstance(alert_id, int) or alert_id in seen:
            continue
        seen.append(alert_id)
        alert = await RiskAlert.get_or_none(id=alert_id)
        if alert is not None:
            event_id = message.get("eventId")
            yield alert, event_id if isinstance(event_id, int) else None
