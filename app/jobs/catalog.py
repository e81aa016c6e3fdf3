"""Every scheduled job of the platform, in the order `fenpay jobs run` runs them."""

from __future__ import annotations

from datetime import datetime

from ..events import outbox
from ..ledger import idempotency
from ..ledger.reconcile import reconcile
from .registry import Job


async def _sweep_outbox(now: datetime) -> str:
    return f"republished {await outbox.sweep()} events"


async def _purge(now: datetime) -> str:
    keys = await idempotency.purge_expired()
    events = await outbox.purge()
    return f"purged {keys} idempotency keys, {events} old events"


async def _reconcile(now: datetime) -> str:
    report = await reconcile()
    return "ledger clean" if report.clean else f"{len(report.breaks)} breaks: {report.breaks[0]}"


JOBS: list[Job] = [
    Job("outbox-sweep", 10, _sweep_outbox),
    Job("purge", 3600, _purge),
    Job("reconcile", 24 * 3600, _reconcile),
]
