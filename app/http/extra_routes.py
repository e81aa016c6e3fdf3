"""Routes contributed by capabilities besides GraphQL: each ``app/http/routes_<name>.py`` provides
``routes(settings)``; a new one is added to ``ROUTE_MODULES`` (tests/test_registration.py checks it)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from ..settings import Settings
from . import routes_identity, routes_merchant_platform, routes_my_data, routes_operations, routes_webhooks

ROUTE_MODULES = (routes_identity, routes_merchant_platform, routes_my_data, routes_operations, routes_webhooks)


def routes(settings: Settings) -> list[BaseRoute]:
    collected: list[BaseRoute] = []
    for module in ROUTE_MODULES:
        collected.extend(module.routes(settings))
    return collected
