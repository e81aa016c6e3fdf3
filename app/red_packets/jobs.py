"""Scheduled work of red packets: return unclaimed money after the packet's 24 hours."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from ..money import format_fen
from .expiry import expire_due


async def _expire_red_packets(now: datetime) -> str:
    packets, returned = await expire_due(now)
    return f"expired {packets} red packets, returned {format_fen(returned)}"


JOBS = [Job("red-packet-expiry", 60, _expire_red_packets)]
