"""The event stream's refill after a broker gap: exactly the events a subscriber missed.

Two flaws found while building the bank test: the refill replayed the topic's whole
history (events from before the subscription, e.g. old balance changes shown as new), and
it only looked past the highest event id delivered, so an event with a lower id that was
committed later (transactions finish out of id order) and published during the gap was lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from app import clock, runtime
from app.events import stream
from app.events.outbox import unit_of_work
from models import OutboxEvent


async def _live(topic: str) -> tuple[AsyncIterator[dict[str, Any]], asyncio.Future]:
    """Start consuming ``topic``; returns the stream and the pending first item, once subscribed."""
    events = stream.subscribe(topic)
    first = asyncio.ensure_future(events.__anext__())
    broker = runtime.get().broker
    for _ in range(500):  # the generator registers with the broker when it first runs
        if (getattr(broker, "_queues", {}) or {}).get(topic):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("stream never subscribed")
    return events, first


def _gap(topic: str) -> None:
    """What the Redis broker does after reconnecting: ask each subscriber to refill."""
    for queue in list(runtime.get().broker._queues[topic]):
        queue.put_nowait({stream.RESYNC: True})


async def test_a_refill_does_not_replay_events_from_before_the_subscription():
    async with unit_of_work() as uow:
        await uow.emit("balance:900", {"n": "old"})
    events, first = await _live("balance:900")
    _gap("balance:900")
    async with unit_of_work() as uow:
        await uow.emit("balance:900", {"n": "new"})
    assert (await asyncio.wait_for(first, 10))["n"] == "new"
    await events.aclose()


async def test_a_refill_finds_an_event_committed_out_of_id_order():
    events, first = await _live("balance:901")
    # Transaction A got its outbox id first but commits after B: B is delivered live...
    late = await OutboxEvent.create(topic="balance:901", payload={"n": "A"})
    async with unit_of_work() as uow:
        await uow.emit("balance:901", {"n": "B"})
    assert (await asyncio.wait_for(first, 10))["n"] == "B"
    # ...then A is published while the listener is reconnecting, so it never arrives live.
    late.published_at = clock.now()
    await late.save()
    _gap("balance:901")
    replayed = await asyncio.wait_for(events.__anext__(), 10)
    assert replayed["n"] == "A" and replayed["eventId"] == late.id
    await events.aclose()
