"""Every scheduled job: the core ones here, plus each capability's ``app/<name>/jobs.py``."""

from __future__ import annotations

from datetime import datetime

from ..events import outbox
from ..ledger import idempotency
from ..plugins import capability_modules
from .registry import Job


async def _sweep_outbox(now: datetime) -> str:
    return f"republished {await outbox.sweep()} events"


async def _purge(now: datetime) -> str:
    keys = await idempotency.purge_expired()
    events = await outbox.purge()
    return f"purged {keys} idempotency keys, {events} old events"


CORE_JOBS: list[Job] = [
    Job("outbox-sweep", 10, _sweep_outbox),
    Job("purge", 3600, _purge),
]


def _collect() -> list[Job]:
    jobs = list(CORE_JOBS)
    for module in capability_modules("jobs"):
        jobs.extend(module.JOBS)
    return jobs


JOBS: list[Job] = _collect()
