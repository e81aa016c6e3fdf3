"""Routes contributed by capabilities: every ``app/http/routes_<name>.py`` with ``routes(settings)``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from ..plugins import http_route_modules
from ..settings import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    collected: list[BaseRoute] = []
    for module in http_route_modules():
        collected.extend(module.routes(settings))
    return collected
