"""Merchant platform jobs: closing expired orders, webhook deliveries (and their retries), payouts,
day-end statements."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .order_jobs import JOBS as ORDER_JOBS
from .payouts import settle_due_payouts
from .statements import build_ended_days
from .webhook_delivery import deliver_due


async def _deliver(now: datetime) -> str:
    succeeded, failed = await deliver_due(now)
    return f"webhook attempts succeeded {succeeded}, failed {failed}"


async def _payouts(now: datetime) -> str:
    paid, failed = await settle_due_payouts(now)
    return f"payouts paid {paid}, failed and released {failed}"


async def _statements(now: datetime) -> str:
    return f"built {await build_ended_days(now)} merchant statements"


JOBS = [
    # First: orders closed by expiry announce ORDER_CLOSED, delivered by the webhook job below.
    *ORDER_JOBS,
    Job("merchant-payouts", 300, _payouts),
    # After payouts, so a day's payouts are settled before anything else reads the day.
    Job("merchant-statements", 600, _statements),
    # Last: events written by the jobs above go out in the same run.
    Job("webhook-deliveries", 5, _deliver),
]
