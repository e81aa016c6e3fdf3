"""`fenpay seed-demo`: idempotent demo data from each capability's ``demo.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .plugins import capability_modules

SeedStep = Callable[[], Awaitable[str]]


def steps() -> list[tuple[str, SeedStep]]:
    collected: list[tuple[str, SeedStep]] = []
    for module in capability_modules("demo"):
        collected.extend(module.SEED_STEPS)
    return collected


async def seed() -> list[str]:
    return [f"{name}: {await step()}" for name, step in steps()]
