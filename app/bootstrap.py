"""Reference data every installation needs, created idempotently at every start."""

from __future__ import annotations

from .plugins import capability_modules


async def ensure_reference_data() -> None:
    for module in capability_modules("reference_data"):
        await module.ensure()
