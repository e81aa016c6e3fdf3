"""The channels' scheduled work: recovering movements stuck on an external rail."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .recovery import recover_stuck


async def _recover(now: datetime) -> str:
    return (await recover_stuck(now)).summary()


JOBS = [Job("rail-recovery", 60, _recover)]
