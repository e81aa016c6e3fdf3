"""The ledger's daily reconciliation."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .reconcile import reconcile


async def _reconcile(now: datetime) -> str:
    report = await reconcile()
    return "ledger clean" if report.clean else f"{len(report.breaks)} breaks: {report.breaks[0]}"


JOBS = [Job("reconcile", 24 * 3600, _reconcile)]
