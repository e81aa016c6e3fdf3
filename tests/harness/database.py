"""Creating, emptying and dropping the test database."""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import urlsplit, urlunsplit

from tortoise import Tortoise, connections


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    parts = urlsplit(url)
    conn = await asyncpg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        database=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_test_database(server_url: str) -> str:
    """A fresh, uniquely named PostgreSQL database for this run; returns its URL."""
    name = f"fenpay_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    return _with_database(server_url, name)


def drop_test_database(server_url: str, test_url: str) -> None:
    name = urlsplit(test_url).path.lstrip("/")
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _tables() -> list[str]:
    tables = []
    for model in Tortoise.apps["models"].values():
        table = model._meta.db_table
        if table != "aerich":
            tables.append(table)
    return sorted(set(tables))


async def empty_all_tables() -> None:
    conn = connections.get("default")
    tables = _tables()
    if conn.capabilities.dialect == "postgres":
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        # The append-only triggers (journals, postings, audit_records) refuse DELETE, and SQLite
        # has no TRUNCATE: drop every trigger, empty the tables and recreate the triggers from
        # their stored definitions, in one script. The application has no such way around them.
        triggers = await conn.execute_query_dict(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY name"
        )
        script = "PRAGMA foreign_keys = OFF; BEGIN;"
        script += "".join(f'DROP TRIGGER "{t["name"]}";' for t in triggers)
        script += "".join(f'DELETE FROM "{t}";' for t in tables)
        script += "DELETE FROM sqlite_sequence;"
        script += "".join(f'{t["sql"]};' for t in triggers)
        script += "COMMIT; PRAGMA foreign_keys = ON;"
        await conn.execute_script(script)
