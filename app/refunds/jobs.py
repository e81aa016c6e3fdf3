"""Refund jobs: review deadlines and card refunds arriving on the next business day."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .deadlines import mark_overdue
from .settlement import complete_arrived


async def _deadlines(now: datetime) -> str:
    return f"{await mark_overdue(now)} refunds marked overdue"


async def _arrivals(now: datetime) -> str:
    return f"{await complete_arrived(now)} refunds arrived"


JOBS = [
    Job("refund-deadlines", 600, _deadlines),
    Job("refund-arrivals", 300, _arrivals),
]
