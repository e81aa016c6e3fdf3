"""A per-user budget for looking up recipients who do not exist.

``transfer`` tells a sender NOT_FOUND for a phone or account number nobody holds, which
is what a sender needs, and what a prober uses to list registered phones. Each user may
miss ``recipient_lookup_misses_per_hour`` times in a clock hour (counted with one INCR in
the shared store); past that every look-up answers RATE_LIMITED, found or not, until the
hour ends, so the answers stop telling anything. Lookups that find someone cost nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from .. import runtime
from ..errors import DomainError, ErrorCode, input_field
from .address_limits import WINDOW_SECONDS, hour_bucket

T = TypeVar("T")


def _key(user_id: int, bucket: str) -> str:
    return f"recipient-misses:{user_id}:{bucket}"


def _refused(remaining: int) -> DomainError:
    return DomainError(
        ErrorCode.RATE_LIMITED,
        f"查找收款人失败次数过多，请 {max(remaining // 60, 1)} 分钟后再试",
        input_field("recipient"),
        retry_after_seconds=remaining,
    )


async def limited(user_id: int, lookup: Callable[[str], Awaitable[T]], text: str) -> T:
    """``lookup(text)`` (which raises NOT_FOUND for nobody) within the user's hourly budget of misses."""
    kv = runtime.get().kv
    bucket, remaining = hour_bucket()
    limit = runtime.settings().recipient_lookup_misses_per_hour
    misses = await kv.get(_key(user_id, bucket))
    if misses is not None and int(misses) >= limit:
        raise _refused(remaining)
    try:
        return await lookup(text)
    except DomainError as error:
        if error.code == ErrorCode.NOT_FOUND:
            if await kv.incr(_key(user_id, bucket), WINDOW_SECONDS + 60) > limit:
                raise _refused(remaining) from None
        raise
