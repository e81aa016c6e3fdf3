"""The retention job: closed accounts' kept identity records are erased after the retention period."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from . import closure


async def _erase(now: datetime) -> str:
    return f"erased {await closure.erase_due(now)} closed accounts"


JOBS = [Job("privacy-retention", 3600, _erase)]
