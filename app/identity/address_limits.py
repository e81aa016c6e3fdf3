"""Per-address hourly limits (kept in the runtime key-value store: in-process or Redis).

A fixed window per clock hour: simple, shared by every API process through Redis,
and a stranger can only exhaust their own address, never lock someone's account.
"""

from __future__ import annotations

from .. import clock, runtime
from ..errors import DomainError, ErrorCode

WINDOW_SECONDS = 3600


def hour_bucket() -> tuple[str, int]:
    """(name of the current hour window, seconds until it ends)."""
    now = clock.now()
    seconds = int(now.timestamp())
    return now.strftime("%Y%m%d%H"), WINDOW_SECONDS - seconds % WINDOW_SECONDS


def address_key(ip: str | None) -> str:
    return ip or "unknown"


async def count_request(kind: str, ip: str | None, limit: int, field: tuple[str, ...] | None) -> None:
    """Count one request of ``kind`` from ``ip``; RATE_LIMITED once the hour's ``limit`` is passed."""
    bucket, remaining = hour_bucket()
    count = await runtime.get().kv.incr(f"addr:{kind}:{address_key(ip)}:{bucket}", WINDOW_SECONDS + 60)
    if count > limit:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            f"该网络地址请求过于频繁，请 {max(remaining // 60, 1)} 分钟后再试",
            field,
            retry_after_seconds=remaining,
        )
