"""Date-times given by clients, read as instants (one rule for every filter bound).

- A value with an offset (``Z``, ``+08:00``, ``-05:00``...) is that instant.
- A value without an offset (``2026-11-30T08:00:00``, or a bare date ``2026-11-30``, which
  the DateTime scalar reads as that day's 00:00) is China wall-clock time (UTC+8), the time
  the guide and the wallet show everywhere.

Every bound is turned into an aware UTC ``datetime`` before it reaches a query, so the same
instant selects the same rows on SQLite and on PostgreSQL whatever offset wrote it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..business_days import CHINA


def as_instant(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; an offset-free value is China time."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=CHINA)
    return value.astimezone(UTC)


def as_optional_instant(value: datetime | None) -> datetime | None:
    """``as_instant`` for an optional bound (``None`` stays ``None``)."""
    return None if value is None else as_instant(value)
