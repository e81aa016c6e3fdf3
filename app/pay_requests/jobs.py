"""Scheduled work of requests to pay: expire them."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .expiry import expire_due


async def _expire_pay_requests(now: datetime) -> str:
    return f"expired {await expire_due(now)} requests to pay"


JOBS = [Job("pay-request-expiry", 60, _expire_pay_requests)]
