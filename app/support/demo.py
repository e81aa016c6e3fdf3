"""`fenpay seed-demo`: the FAQ."""

from __future__ import annotations

from .faq import load_shipped_faq, shipped_entries


async def _faq() -> str:
    created, updated = await load_shipped_faq()
    return f"{len(shipped_entries())} FAQ entries ({created} new, {updated} updated)"


SEED_STEPS = [("faq", _faq)]
