"""Reference data every installation needs: written by ``fenpay migrate`` and checked again
at every start with insert-if-absent statements, so any number of workers (on any number of
machines) may start at once on a fresh or a running database."""

from __future__ import annotations

from .plugins import capability_modules


async def ensure_reference_data() -> None:
    for module in capability_modules("reference_data"):
        await module.ensure()
