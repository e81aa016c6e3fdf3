"""The one source of 'now'. Tests and `fenpay jobs run --now` set it; nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """Current UTC time (timezone-aware), or the instant a test has set."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_now(instant: datetime | None) -> None:
    """Freeze the clock at ``instant`` (``None`` returns to real time)."""
    global _frozen
    if instant is not None and instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    _frozen = instant


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (freezing it at real now first if needed)."""
    set_now(now() + delta)
    return now()
