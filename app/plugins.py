"""Convention-based discovery, so capabilities plug in without editing shared lists.

A capability package ``app/<name>/`` may provide:
- ``jobs.py`` with ``JOBS: list[Job]`` (scheduled jobs),
- ``demo.py`` with ``SEED_STEPS: list[tuple[str, SeedStep]]`` (`fenpay seed-demo`),
- ``reference_data.py`` with ``async def ensure() -> None`` (run by ``fenpay migrate`` and at
  every start, by many processes at once: insert-if-absent only, never fail on a duplicate),
and ``app/http/routes_<name>.py`` may provide ``def routes(settings) -> list[BaseRoute]``.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType

import app


def capability_modules(module_name: str) -> list[ModuleType]:
    """``app.<package>.<module_name>`` for every capability package that has it, by name."""
    found = []
    for info in sorted(pkgutil.iter_modules(app.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        full = f"app.{info.name}.{module_name}"
        if importlib.util.find_spec(full) is not None:
            found.append(importlib.import_module(full))
    return found


def http_route_modules() -> list[ModuleType]:
    import app.http as http

    return [
        importlib.import_module(f"app.http.{info.name}")
        for info in sorted(pkgutil.iter_modules(http.__path__), key=lambda i: i.name)
        if info.name.startswith("routes_")
    ]
