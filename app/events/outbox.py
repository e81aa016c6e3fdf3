"""Transactional outbox: events are rows written with the change, published after commit.

``unit_of_work()`` opens one database transaction; ``emit`` adds an outbox row in
it; once the transaction commits the events go to the broker and are marked
published. A crash between commit and publish leaves rows the sweeper job sends
again (at-least-once; every message carries its ``eventId`` so duplicates are marked).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from models import OutboxEvent

from .. import clock, db, runtime
from ..db import Conn
from ..group_write import GroupWrite
from ..ops import metrics

log = logging.getLogger(__name__)


class UnitOfWork:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.events: list[OutboxEvent] = []
        self._after_commit: list[Any] = []

    async def emit(self, topic: str, payload: dict[str, Any]) -> None:
        event = await OutboxEvent.create(topic=topic, payload=payload, using_db=self.conn)
        self.events.append(event)

    def after_commit(self, callback: Any) -> None:
        """Run ``await callback()`` once the transaction has committed."""
        self._after_commit.append(callback)


_current: ContextVar[UnitOfWork | None] = ContextVar("fenpay_unit_of_work", default=None)


def current() -> UnitOfWork | None:
    """The unit of work open in this task, if any (for code that is handed only its connection)."""
    return _current.get()


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    async with db.atomic() as conn:
        uow = UnitOfWork(conn)
        token = _current.set(uow)
        try:
            yield uow
        finally:
            _current.reset(token)
    # Committed: whatever fails from here on must not turn into an error for the caller,
    # whose change is already durable (the sweeper resends what was not published).
    await publish(uow.events)
    for callback in uow._after_commit:
        try:
            await callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)


async def publish(events: list[OutboxEvent]) -> int:
    """Send events through the broker and mark them published. Failures wait for the sweeper."""
    if not events:
        return 0
    broker = runtime.get().broker
    sent: list[int] = []
    for event in events:
        try:
            await broker.publish(event.topic, {**event.payload, "eventId": event.id})
            sent.append(event.id)
        except Exception as exc:  # broker down: the sweeper resends
            log.warning("event %s not published yet: %s", event.id, type(exc).__name__)
            break
    if sent:
        now = clock.now()
        for event in events[:len(sent)]:
            metrics.OUTBOX_PUBLISHED.observe(max((now - event.created_at).total_seconds(), 0.0))
        try:
            await _published_marks.submit(sent)
        except Exception as exc:  # database briefly unreachable: the sweeper resends (same eventId)
            log.warning("events %s published but not marked: %s", sent, type(exc).__name__)
    return len(sent)


async def _mark_published(ids: list[int]) -> None:
    await OutboxEvent.filter(id__in=ids).update(published_at=clock.now())


async def _mark_batches(batches: list[list[int]]) -> None:
    await _mark_published([event_id for batch in batches for event_id in batch])


# Concurrent requests' marks share one UPDATE (a commit per payment saved under load).
_published_marks: GroupWrite[list[int]] = GroupWrite(_mark_batches)


async def sweep(older_than: timedelta = timedelta(seconds=5)) -> int:
    """Republish events a crash or a broker outage left unsent; returns how many were sent."""
    cutoff = clock.now() - older_than
    pending = (
        await OutboxEvent.filter(published_at=None, created_at__lte=cutoff).order_by("id").limit(500)
    )
    return await publish(list(pending))


async def purge(older_than: timedelta = timedelta(days=2)) -> int:
    """Drop published events past their usefulness."""
    return await OutboxEvent.filter(
        published_at__not_isnull=True, created_at__lt=clock.now() - older_than
    ).delete()
