"""Scheduled work of payments: expiring payment QR codes (their watchers see EXPIRED)."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .qr_codes import expire_due


async def _expire_qr_codes(now: datetime) -> str:
    return f"expired {await expire_due(now)} payment QR codes"


JOBS = [Job("payment-qr-expiry", 30, _expire_qr_codes)]
