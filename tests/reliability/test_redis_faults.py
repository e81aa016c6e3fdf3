"""Redis connections dropped under a running process (a Redis restart, a network blip).

Found by the bank test and the suite around it: redis-py retries nothing by default, so
the first command on each pooled connection failed after Redis came back, and a new
subscription on the dead pub/sub connection raised instead of waiting for the reconnect.
"""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as redis

from app import runtime
from app.events import stream
from app.events.outbox import unit_of_work
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs FENPAY_TEST_REDIS_URL")


async def _kill_connections(role: str) -> int:
    """End this test run's connections of one role (named ``<prefix><role>``) from outside."""
    name = runtime.settings().redis_prefix + role
    admin = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        killed = 0
        for client in await admin.client_list():
            if client.get("name") == name:
                await admin.execute_command("CLIENT", "KILL", "ID", client["id"])
                killed += 1
        return killed
    finally:
        await admin.aclose()


async def test_the_store_answers_first_time_after_its_connections_drop():
    kv = runtime.get().kv
    await kv.set("probe", "1", 60)
    assert await _kill_connections("kv") >= 1
    assert await kv.get("probe") == "1"
    assert await kv.incr("probe-count", 60) == 1


async def test_publishing_survives_dropped_connections():
    broker = runtime.get().broker
    await broker.publish("probe", {"n": 0})
    assert await _kill_connections("publish") >= 1
    await broker.publish("probe", {"n": 1})  # no error


async def _registered(topic: str) -> None:
    broker = runtime.get().broker
    for _ in range(500):  # the stream registers with the broker when it first runs
        if broker._queues.get(topic):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{topic} never subscribed")


async def test_a_new_subscription_on_a_dead_listener_waits_for_the_reconnect():
    old = stream.subscribe("redis-fault:a")
    old_first = asyncio.ensure_future(old.__anext__())
    await _registered("redis-fault:a")
    assert await _kill_connections("listen") >= 1
    new = stream.subscribe("redis-fault:b")
    new_first = asyncio.ensure_future(new.__anext__())
    await _registered("redis-fault:b")
    async with unit_of_work() as uow:
        await uow.emit("redis-fault:a", {"n": "a"})
        await uow.emit("redis-fault:b", {"n": "b"})
    # Either live (after the reader resubscribed) or from the outbox refill: both arrive once.
    assert (await asyncio.wait_for(new_first, 15))["n"] == "b"
    assert (await asyncio.wait_for(old_first, 15))["n"] == "a"
    await old.aclose()
    await new.aclose()
