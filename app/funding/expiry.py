"""Pending third-party and offline operations that nobody finished in time fail.

Any transaction type with registered completion handlers is covered (top-ups here,
payments where the payments capability registers them); its ``on_failed`` runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models import Transaction

from ..channels import completions
from ..ledger.vocabulary import Channel, TransactionStatus

PENDING_LIFETIME = {
    Channel.THIRD_PARTY: timedelta(minutes=30),
    # Remittances at a bank counter take longer to be noticed.
    Channel.OFFLINE: timedelta(days=7),
}
BATCH = 500


async def expire_stale_pending(now: datetime) -> int:
    expired = 0
    types = completions.registered_types()
    for channel, lifetime in PENDING_LIFETIME.items():
        stale = await Transaction.filter(
            status=TransactionStatus.PENDING, channel=channel, type__in=types, created_at__lt=now - lifetime
        ).order_by("id").limit(BATCH)
        for tx in stale:
            if await completions.fail(tx):
                expired += 1
    return expired
