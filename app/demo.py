"""`fenpay seed-demo`: idempotent demo data. Each capability adds its seeding step here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

SeedStep = Callable[[], Awaitable[str]]


def steps() -> list[tuple[str, SeedStep]]:
    collected: list[tuple[str, SeedStep]] = []
    return collected


async def seed() -> list[str]:
    return [f"{name}: {await step()}" for name, step in steps()]
