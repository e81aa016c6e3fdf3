"""Routes contributed by capabilities (webhooks, sandbox checkout), collected in one list."""

from __future__ import annotations

from starlette.routing import BaseRoute

from ..settings import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    collected: list[BaseRoute] = []
    return collected
