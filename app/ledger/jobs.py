"""The ledger's daily reconciliation (breaks raise a CRITICAL platform alert)."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job


async def _reconcile(now: datetime) -> str:
    from ..risk.reconciliation import reconcile_and_alert

    report, alert = await reconcile_and_alert()
    if report.clean:
        return "ledger clean"
    return f"{len(report.breaks)} breaks (alert {alert.id if alert else '-'}): {report.breaks[0]}"


JOBS = [Job("reconcile", 24 * 3600, _reconcile)]
