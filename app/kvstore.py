"""Short-lived keys with expiry (rate limits, counters): in-process or Redis."""

from __future__ import annotations

import time
from typing import Protocol, cast


class KeyValueStore(Protocol):
    async def incr(self, key: str, ttl_seconds: int) -> int:
        """Increment ``key`` (created at 0 with ``ttl_seconds`` to live) and return the count."""

    async def ttl(self, key: str) -> int:
        """Seconds until ``key`` expires; 0 when absent."""

    async def set(self, key: str, value: str, ttl_seconds: int, *, only_new: bool = False) -> bool:
        """Store ``value``; with ``only_new`` only if absent. True when stored."""

    async def get(self, key: str) -> str | None: ...

    async def delete(self, key: str) -> None: ...

    async def clear(self) -> None: ...

    async def close(self) -> None: ...


class MemoryStore:
    def __init__(self, clock=time.monotonic) -> None:  # noqa: ANN001
        self._data: dict[str, tuple[str, float]] = {}
        self._clock = clock

    def _live(self, key: str) -> tuple[str, float] | None:
        entry = self._data.get(key)
        if entry is not None and entry[1] <= self._clock():
            del self._data[key]
            return None
        return entry

    async def incr(self, key: str, ttl_seconds: int) -> int:
        entry = self._live(key)
        if entry is None:
            self._data[key] = ("1", self._clock() + ttl_seconds)
            return 1
        count = int(entry[0]) + 1
        self._data[key] = (str(count), entry[1])
        return count

    async def ttl(self, key: str) -> int:
        entry = self._live(key)
        return 0 if entry is None else max(1, int(entry[1] - self._clock() + 0.999))

    async def set(self, key: str, value: str, ttl_seconds: int, *, only_new: bool = False) -> bool:
        if only_new and self._live(key) is not None:
            return False
        self._data[key] = (value, self._clock() + ttl_seconds)
        return True

    async def get(self, key: str) -> str | None:
        entry = self._live(key)
        return None if entry is None else entry[0]

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def clear(self) -> None:
        self._data.clear()

    async def close(self) -> None:
        self._data.clear()


class RedisStore:
    def __init__(self, url: str, prefix: str = "fenpay:") -> None:
        from .redis_client import connect

        self._redis = connect(url, client_name=f"{prefix}kv", decode_responses=True, socket_timeout=5)
        self._prefix = prefix

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def clear(self) -> None:
        """Delete every key of this prefix (tests)."""
        async for key in self._redis.scan_iter(match=self._prefix + "*", count=500):
            await self._redis.delete(key)

    async def incr(self, key: str, ttl_seconds: int) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._k(key))
            pipe.expire(self._k(key), ttl_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def ttl(self, key: str) -> int:
        return max(0, int(await self._redis.ttl(self._k(key))))

    async def set(self, key: str, value: str, ttl_seconds: int, *, only_new: bool = False) -> bool:
        return bool(await self._redis.set(self._k(key), value, ex=ttl_seconds, nx=only_new))

    async def get(self, key: str) -> str | None:
        return cast("str | None", await self._redis.get(self._k(key)))  # the client decodes responses

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._k(key))

    async def close(self) -> None:
        await self._redis.aclose()
