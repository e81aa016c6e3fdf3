"""The system accounts exist from the first start."""

from __future__ import annotations

from .accounts import ensure_system_accounts


async def ensure() -> None:
    await ensure_system_accounts()
