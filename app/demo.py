"""`fenpay seed-demo`: idempotent demo data, one named step per capability, in this order.

A new step is added to ``SEED_STEPS`` (tests/test_registration.py checks the list).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .payments.demo import seed_merchants
from .support.faq import load_shipped_faq, shipped_entries
from .wealth.demo import seed_products

SeedStep = Callable[[], Awaitable[str]]


async def _faq() -> str:
    created, updated = await load_shipped_faq()
    return f"{len(shipped_entries())} FAQ entries ({created} new, {updated} updated)"


SEED_STEPS: list[tuple[str, SeedStep]] = [
    ("merchants", seed_merchants),
    ("faq", _faq),
    ("wealth products", seed_products),
]


def steps() -> list[tuple[str, SeedStep]]:
    return list(SEED_STEPS)


async def seed() -> list[str]:
    """Run every step; returns ``"<step>: <what it did>"`` for each."""
    return [f"{name}: {await step()}" for name, step in steps()]
