"""Funding jobs: settle due withdrawals and expire stale pending top-ups (and payments)."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .expiry import expire_stale_pending
from .settlement import settle_due_withdrawals


async def _settle(now: datetime) -> str:
    paid, failed = await settle_due_withdrawals(now)
    return f"withdrawals paid out {paid}, failed and released {failed}"


async def _expire(now: datetime) -> str:
    return f"expired {await expire_stale_pending(now)} stale pending transactions"


JOBS = [
    Job("settle-withdrawals", 300, _settle),
    Job("expire-pending", 60, _expire),
]
