"""Publish/subscribe between processes. In-process by default; Redis pub/sub to scale out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from .mailbox import Mailbox

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub

log = logging.getLogger(__name__)


class Broker(Protocol):
    name: str

    async def publish(self, topic: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, topic: str) -> AsyncIterator[dict[str, Any]]: ...

    async def healthy(self) -> bool: ...

    async def close(self) -> None: ...


class InProcessBroker:
    """Fan-out to subscribers of this process only (the embedded default)."""

    name = "in-process"

    def __init__(self) -> None:
        self._queues: dict[str, set[Mailbox[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        for queue in list(self._queues.get(topic, ())):
            queue.put_nowait(message)

    async def subscribe(self, topic: str) -> AsyncIterator[dict[str, Any]]:
        queue: Mailbox[dict[str, Any]] = Mailbox()
        self._queues[topic].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues[topic].discard(queue)
            if not self._queues[topic]:
                del self._queues[topic]

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        self._queues.clear()


class RedisBroker:
    """Redis pub/sub: every API process sees every event.

    One pub/sub connection per process is shared by all subscriptions; topics are
    (un)subscribed as local listeners come and go. The listener reconnects by itself.
    """

    name = "redis"

    def __init__(self, url: str, prefix: str = "fenpay:") -> None:
        import redis.asyncio as redis

        from ..redis_client import connect

        self._prefix = prefix
        # Named connections: CLIENT LIST shows what each one serves (and tests can drop them).
        self._redis = connect(url, client_name=f"{prefix}publish", socket_timeout=5, socket_connect_timeout=5)
        self._listen_redis = redis.Redis.from_url(url, client_name=f"{prefix}listen", socket_timeout=None)
        self._pubsub: PubSub | None = None
        self._queues: dict[str, set[Mailbox[dict[str, Any]]]] = defaultdict(set)
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._resubscribe_requested = False

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + topic, orjson.dumps(message))

    async def _ensure_reader(self) -> None:
        if self._pubsub is None:
            self._pubsub = self._listen_redis.pubsub(ignore_subscribe_messages=True)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_loop())

    async def _read_loop(self) -> None:
        resubscribe = False
        while True:
            try:
                assert self._pubsub is not None
                if self._resubscribe_requested:
                    self._resubscribe_requested = False
                    resubscribe = True
                if resubscribe:
                    await self._resubscribe()
                    resubscribe = False
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)  # nothing subscribed yet; get_message would fail
                    continue
                message = await self._pubsub.get_message(timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                topic = message["channel"].decode()[len(self._prefix) :]
                payload = orjson.loads(message["data"])
                for queue in list(self._queues.get(topic, ())):
                    queue.put_nowait(payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: reconnect, resubscribe, ask for a refill
                log.warning("redis pub/sub listener reconnecting: %s", type(exc).__name__)
                resubscribe = True
                await asyncio.sleep(0.5)

    async def _resubscribe(self) -> None:
        with contextlib.suppress(Exception):
            assert self._pubsub is not None
            await self._pubsub.aclose()
        self._pubsub = self._listen_redis.pubsub(ignore_subscribe_messages=True)
        topics = [t for t, qs in self._queues.items() if qs]
        if topics:
            await self._pubsub.subscribe(*(self._prefix + t for t in topics))
        # Messages published while the listener was away are gone: subscribers refill from the outbox.
        for topic in topics:
            for queue in list(self._queues.get(topic, ())):
                queue.put_nowait({"__resync__": True})

    async def subscribe(self, topic: str) -> AsyncIterator[dict[str, Any]]:
        queue: Mailbox[dict[str, Any]] = Mailbox()
        async with self._lock:
            await self._ensure_reader()
            first = not self._queues[topic]
            self._queues[topic].add(queue)
            if first:
                assert self._pubsub is not None
                try:
                    await self._pubsub.subscribe(self._prefix + topic)
                except Exception as exc:  # Redis away (restart): the reader reconnects and resubscribes
                    log.warning("redis subscribe deferred to reconnect: %s", type(exc).__name__)
                    self._resubscribe_requested = True
        try:
            while True:
                yield await queue.get()
        finally:
            async with self._lock:
                self._queues[topic].discard(queue)
                if not self._queues[topic]:
                    del self._queues[topic]
                    with contextlib.suppress(Exception):
                        assert self._pubsub is not None
                        await self._pubsub.unsubscribe(self._prefix + topic)

    async def healthy(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except Exception:
            return False

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._redis.aclose()
        await self._listen_redis.aclose()
