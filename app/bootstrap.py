"""Reference data every installation needs, created idempotently at start-up."""

from __future__ import annotations

from .ledger.accounts import ensure_system_accounts


async def ensure_reference_data() -> None:
    await ensure_system_accounts()
