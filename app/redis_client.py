"""How fenpay connects to Redis: named connections that reconnect and retry by themselves.

redis-py retries a command only for the errors listed in ``retry_on_error``, and that list
is empty unless given: after a Redis restart, the first command on each pooled connection
failed ("Connection closed by server") and surfaced as an error (found by the bank test).
Every command fenpay sends is safe to repeat: a repeated INCR only makes a rate limit a
little stricter, a repeated SET NX only skips a job run, a repeated PUBLISH is dropped by
its eventId. Names (``CLIENT LIST``) say which process and role a connection serves.

Not for the pub/sub listener: it must see a dropped connection (``retry=False``), because
messages published while it was away are lost and only its own reconnect asks subscribers
to refill from the outbox; a silent reconnect inside redis-py would hide that gap.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRIES = 3


def connect(url: str, *, name: str, retry: bool = True, **options: Any) -> redis.Redis:
    if retry:
        options.update(
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), RETRIES),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
    return redis.Redis.from_url(url, client_name=name.replace(" ", "-"), **options)
