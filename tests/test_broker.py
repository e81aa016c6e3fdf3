"""The event broker: in-process fan-out, and Redis pub/sub across processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

from app.events.broker import InProcessBroker, RedisBroker

REDIS_URL = os.environ.get("FENPAY_TEST_REDIS_URL")


async def _first(iterator, timeout: float = 10.0):  # noqa: ANN001, ANN202
    return await asyncio.wait_for(iterator.__anext__(), timeout)


async def test_in_process_broker_fans_out_to_every_subscriber_of_a_topic():
    broker = InProcessBroker()
    one, two, other = broker.subscribe("t"), broker.subscribe("t"), broker.subscribe("u")
    waiting = [asyncio.ensure_future(_first(s)) for s in (one, two)]
    quiet = asyncio.ensure_future(_first(other, timeout=0.5))
    for _ in range(100):  # let the subscriptions register (on first iteration) before publishing
        if len(broker._queues.get("t", ())) == 2:
            break
        await asyncio.sleep(0)
    await broker.publish("t", {"n": 1})
    assert await asyncio.gather(*waiting) == [{"n": 1}, {"n": 1}]
    with pytest.raises(asyncio.TimeoutError):
        await quiet


@pytest.mark.skipif(not REDIS_URL, reason="needs FENPAY_TEST_REDIS_URL")
async def test_redis_event_published_by_another_process_reaches_this_subscriber():
    prefix = f"fenpay-broker-test-{os.getpid()}:"
    broker = RedisBroker(REDIS_URL, prefix=prefix)
    try:
        stream = broker.subscribe("balance:42")
        receiving = asyncio.ensure_future(_first(stream))
        # Wait until the subscription is live on the Redis server before the other process publishes.
        for _ in range(100):
            if broker._pubsub is not None and broker._pubsub.subscribed:
                break
            await asyncio.sleep(0.02)
        publisher = textwrap.dedent(
            f"""
            import asyncio
            from app.events.broker import RedisBroker
            async def main():
                broker = RedisBroker({REDIS_URL!r}, prefix={prefix!r})
                await broker.publish("balance:42", {{"delta": 500, "from": "other process"}})
                await broker.close()
            asyncio.run(main())
            """
        )
        result = subprocess.run([sys.executable, "-c", publisher], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert await receiving == {"delta": 500, "from": "other process"}
    finally:
        await broker.close()


async def test_stream_refills_from_the_outbox_after_a_broker_gap_and_drops_repeats(platform):
    from app.events import stream
    from app.events.outbox import unit_of_work

    events = stream.subscribe("gap-topic")
    first = asyncio.ensure_future(_first(events))
    broker = platform.broker
    for _ in range(200):  # wait until the stream's broker subscription is live
        if (getattr(broker, "_queues", {}) or {}).get("gap-topic"):
            break
        await asyncio.sleep(0.01)
    # An event committed while the listener was away: written to the outbox, never received.
    async with unit_of_work() as uow:
        await uow.emit("other-topic", {"n": 0})
    from models import OutboxEvent

    missed = await OutboxEvent.create(topic="gap-topic", payload={"n": 1})
    # The broker reconnected and asks its subscribers to refill.
    for queue in list(broker._queues["gap-topic"]):
        queue.put_nowait({"__resync__": True})
    replayed = await first
    assert replayed["n"] == 1 and replayed["eventId"] == missed.id and replayed["replayed"] is True
    # The same event arriving live afterwards (a sweeper resend) is dropped; the next new one passes.
    for queue in list(broker._queues["gap-topic"]):
        queue.put_nowait({"n": 1, "eventId": missed.id})
        queue.put_nowait({"n": 2, "eventId": missed.id + 1000})
    assert (await _first(events))["n"] == 2
    await events.aclose()
