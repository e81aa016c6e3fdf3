"""The message delivery job: sends what is due, retries with backoff (see outbox.py)."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .outbox import deliver_due


async def _deliver(now: datetime) -> str:
    from .. import runtime

    if runtime.settings().sandbox:
        return "sandbox: messages stay in the sandbox outbox"
    return str(await deliver_due(now))


JOBS = [Job("message-delivery", 5, _deliver)]
