"""Database connection: Tortoise configuration, start/stop, migrations and health."""

from __future__ import annotations

import pkgutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from .settings import ConfigurationError, Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def tortoise_url(settings: Settings) -> str:
    url = settings.database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        separator = "&" if "?" in url else "?"
        url += f"{separator}minsize=1&maxsize={settings.db_pool_max}"
    return url


def model_modules() -> list[str]:
    """Every module of the ``models`` package (a new file is picked up without registration)."""
    import models

    names = sorted(m.name for m in pkgutil.iter_modules(models.__path__) if m.name != "base")
    return ["models", *(f"models.{name}" for name in names), "aerich.models"]


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": tortoise_url(settings)},
        "apps": {
            "models": {"models": model_modules(), "default_connection": "default"},
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_dir(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite://"):
        path = settings.database_url[len("sqlite://") :]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def init_db(settings: Settings) -> None:
    """Open the connection pool. A bad URL becomes a one-line ConfigurationError."""
    _ensure_sqlite_dir(settings)
    try:
        await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
        await ping()
    except ConfigurationError:
        raise
    except Exception as exc:  # driver errors vary; the operator needs one clear line
        await close_db()
        where = urlsplit(settings.database_url)
        raise ConfigurationError(
            f"cannot use FENPAY_DATABASE_URL ({where.scheme}://{where.hostname or ''}"
            f"{where.path}): {type(exc).__name__}: {exc}".replace("\n", " ")
        ) from exc


async def close_db() -> None:
    try:
        await Tortoise.close_connections()
    finally:
        from tortoise import context

        context._global_context = None  # allow a later init in the same process (tests, CLI)


async def ping() -> None:
    await connections.get("default").execute_query("SELECT 1")


def dialect() -> str:
    return connections.get("default").capabilities.dialect


def atomic():  # noqa: ANN201 - Tortoise's transaction context manager
    """One database transaction on the default connection."""
    return in_transaction("default")


async def migrate(settings: Settings) -> list[str]:
    """Apply pending aerich migrations; returns the versions applied."""
    from aerich import Command

    command = Command(
        tortoise_config=tortoise_config(settings), app="models", location=str(MIGRATIONS_DIR)
    )
    try:
        await command.init()
        return await command.upgrade(run_in_transaction=True)
    except Exception as exc:
        raise ConfigurationError(f"migration failed: {type(exc).__name__}: {exc}".replace("\n", " ")) from exc
    finally:
        await close_db()
