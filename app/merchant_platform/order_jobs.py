"""Scheduled work of merchant orders: closing unpaid orders past their lifetime."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .orders import expire_due


async def _close_expired_orders(now: datetime) -> str:
    return f"closed {await expire_due(now)} expired merchant orders"


JOBS = [Job("merchant-order-expiry", 30, _close_expired_orders)]
