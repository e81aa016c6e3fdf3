"""Database connection: Tortoise configuration, start/stop, migrations and health."""

from __future__ import annotations

import contextlib
import pkgutil
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient, TransactionContext
from tortoise.transactions import in_transaction

from .pg_client import CONNECTION_ERRORS
from .settings import ConfigurationError, Settings

Conn: TypeAlias = BaseDBAsyncClient
"""A database connection: the pooled default client, or the transaction client ``atomic()``
(and so ``unit_of_work()``) yields. Queries take it as ``using_db=conn``; raw SQL goes through
``app.ledger.sql`` with it. ``None`` where a function accepts ``Conn | None`` means the task's
default connection (inside ``atomic()``, that transaction)."""

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


def connection_config(settings: Settings) -> str | dict[str, Any]:
    """The URL, or for PostgreSQL the expanded form naming fenpay's resilient asyncpg client."""
    url = tortoise_url(settings)
    if not url.startswith("postgres://"):
        return url
    from tortoise.backends.base.config_generator import expand_db_url

    expanded = expand_db_url(url)
    expanded["engine"] = "app.pg_client"
    return expanded


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(settings)},
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


def inside_transaction() -> bool:
    """Whether this task's default connection is an open transaction (``atomic``)."""
    return isinstance(connections.get("default"), TransactionalDBClient)


def atomic() -> Atomic:
    """One database transaction on the default connection."""
    return Atomic()


class Atomic:
    """``in_transaction("default")``, repaired for connections that died in the pool.

    When PostgreSQL ends a backend (restart, failover, ``pg_terminate_backend``) the pool
    still holds its connection, and the next BEGIN on it fails. Tortoise then neither
    returns that connection to the pool nor clears the task's connection context, so the
    pool shrinks for good and every later query of the task fails too (found by the bank
    test). Here a failed BEGIN closes the dead connection, restores the context, expires the
    pool's other connections and begins again on a fresh one: safe, because nothing of the
    transaction has run yet.
    """

    ATTEMPTS = 3

    def __init__(self) -> None:
        self._context: TransactionContext | None = None

    async def __aenter__(self) -> TransactionalDBClient:
        for attempt in range(1, self.ATTEMPTS + 1):
            context = in_transaction("default")
            try:
                client = await context.__aenter__()
            except CONNECTION_ERRORS:
                await _discard(context)
                if attempt == self.ATTEMPTS:
                    raise
                continue
            self._context = context
            return client
        raise AssertionError("unreachable")

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self._context is not None, "__aexit__ without __aenter__"
        await self._context.__aexit__(exc_type, exc, tb)


async def _discard(context: TransactionContext) -> None:
    """Undo a half-entered pooled transaction context: drop its connection, reset the task,
    and have the pool replace its other connections (their backend is most likely gone too)."""
    from tortoise.connection import get_connections

    client = getattr(context, "client", None)
    pool = getattr(getattr(client, "_parent", None), "_pool", None)
    if pool is not None:
        await pool.expire_connections()
    connection = getattr(client, "_connection", None)
    if connection is not None and hasattr(connection, "terminate"):
        # A closed connection went back to the pool by itself (terminate then refuses);
        # a broken but open one is closed here, which also hands its slot back.
        with contextlib.suppress(Exception):
            connection.terminate()
    token = getattr(context, "token", None)
    if token is not None:
        get_connections().reset(token)


MIGRATION_LOCK_KEY = 0x66656E706179  # "fenpay": the PostgreSQL advisory lock of migrations


@contextlib.asynccontextmanager
async def _migration_lock(settings: Settings) -> Any:
    """Serialise migrations of processes started together (two ``fenpay serve``, CI jobs).

    PostgreSQL: a session advisory lock on its own connection; SQLite: an exclusive
    ``flock`` on a file next to the database. The second process then finds nothing to apply.
    """
    if settings.is_postgres:
        import asyncpg

        parts = urlsplit(settings.database_url)
        conn = await asyncpg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            database=(parts.path or "/postgres").lstrip("/") or "postgres",
        )
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            yield
        finally:
            await conn.close()  # ends the session, which releases the lock
        return
    path = settings.database_url[len("sqlite://") :]
    if not path or path == ":memory:":
        yield
        return
    import fcntl

    _ensure_sqlite_dir(settings)
    # Runs once at start-up, before serving: blocking on the lock file is the point.
    with open(f"{path}.migrate.lock", "a+") as handle:  # noqa: ASYNC230
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def migrate(settings: Settings) -> list[str]:
    """Apply pending aerich migrations; returns the versions applied.

    Safe to run from several processes at once (see ``_migration_lock``).
    """
    try:
        async with _migration_lock(settings):
            return await _migrate_now(settings)
    except ConfigurationError:
        raise
    except Exception as exc:
        raise ConfigurationError(f"migration failed: {type(exc).__name__}: {exc}".replace("\n", " ")) from exc


async def _migrate_now(settings: Settings) -> list[str]:
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
