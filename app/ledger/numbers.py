"""Human-readable unique numbers: a date plus a random part."""

from __future__ import annotations

import secrets

from .. import clock


def new_number(prefix: str = "") -> str:
    """E.g. ``T20261128`` + 12 random digits."""
    return f"{prefix}{clock.now():%Y%m%d}{secrets.randbelow(10**12):012d}"
