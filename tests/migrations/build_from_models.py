"""``python -m tests.migrations.build_from_models URL``: create the tables straight from the
models (Tortoise's ``generate_schemas``), the reference the migrated database is compared to."""

from __future__ import annotations

import sys

from tortoise import Tortoise, run_async

from app.db import model_modules


async def build(url: str) -> None:
    await Tortoise.init(
        config={
            "connections": {"default": url},
            "apps": {"models": {"models": model_modules(), "default_connection": "default"}},
            "use_tz": True,
            "timezone": "UTC",
        }
    )
    await Tortoise.generate_schemas(safe=False)


if __name__ == "__main__":
    run_async(build(sys.argv[1]))
