"""Consistent backups of the configured database and restores into an empty one.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot while the platform keeps running; restore copies it back the same way.
- PostgreSQL: ``pg_dump --format=custom`` (one snapshot transaction) and
  ``pg_restore`` in a single transaction. Credentials go to the tools through the
  environment (PGPASSWORD), never on the command line.

A restore refuses a target database that already has tables. The backup carries
ciphertexts, not keys: restore with the same FENPAY_ENCRYPTION_KEY (and old keys).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..settings import ConfigurationError, Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore did not happen; the message says why, in one line."""


def sqlite_path(settings: Settings) -> Path:
    raw = settings.database_url[len("sqlite://") :].split("?", 1)[0]
    if not raw or raw == ":memory:":
        raise ConfigurationError("an in-memory SQLite database cannot be backed up or restored")
    return Path(raw)


def _pg_environment(settings: Settings) -> dict[str, str]:
    parts = urlsplit(settings.database_url)
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": parts.hostname or "127.0.0.1",
            "PGPORT": str(parts.port or 5432),
            "PGUSER": unquote(parts.username or "postgres"),
            "PGDATABASE": unquote(parts.path.lstrip("/") or "postgres"),
        }
    )
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed)")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {detail[-1] if detail else result.returncode}")


def _magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def backup(settings: Settings, target: Path) -> str:
    """Write a consistent backup of the configured database to ``target`` (must not exist)."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if settings.is_postgres:
            env = _pg_environment(settings)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)], env)
            kind = "PostgreSQL custom-format dump"
        else:
            source_path = sqlite_path(settings)
            if not source_path.exists():
                raise BackupError(f"database file {source_path} does not exist")
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
            destination = sqlite3.connect(partial)
            try:
                with destination:
                    source.backup(destination)
            finally:
                destination.close()
                source.close()
            kind = "SQLite backup"
        os.chmod(partial, 0o600)  # it holds personal data (encrypted) and hashes
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return f"{kind} written to {target} ({target.stat().st_size} bytes)"


def _sqlite_tables(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return [row[0] for row in rows]
    finally:
        conn.close()


async def _pg_table_count(settings: Settings) -> int:
    import asyncpg

    env = _pg_environment(settings)
    conn = await asyncpg.connect(
        host=env["PGHOST"], port=int(env["PGPORT"]), user=env["PGUSER"],
        password=env.get("PGPASSWORD"), database=env["PGDATABASE"],
    )
    try:
        return int(
            await conn.fetchval(
                "SELECT COUNT(*) FROM information_schema.tables"
                " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
        )
    finally:
        await conn.close()


async def restore(settings: Settings, source: Path) -> str:
    """Restore a backup made by ``backup`` into the configured, empty database."""
    if not source.is_file():  # noqa: ASYNC240 (a CLI command: nothing else runs on this loop)
        raise BackupError(f"{source} is not a file")
    magic = _magic(source)
    if settings.is_postgres:
        if not magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} is not a PostgreSQL custom-format dump")
        if await _pg_table_count(settings):
            raise BackupError("the target database is not empty; restore only into a new, empty database")
        env = _pg_environment(settings)
        _run(
            [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             "--dbname", env["PGDATABASE"], str(source)],
            env,
        )
        return f"restored {source} into PostgreSQL database {env['PGDATABASE']}"
    if not magic.startswith(SQLITE_MAGIC):
        raise BackupError(f"{source} is not a SQLite database backup")
    check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if verdict != "ok":
        raise BackupError(f"{source} is damaged: {verdict}")
    target = sqlite_path(settings)
    if target.exists() and _sqlite_tables(target):
        raise BackupError(f"the target database {target} is not empty; restore only into a new, empty database")
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        with writer:
            reader.backup(writer)
    finally:
        writer.close()
        reader.close()
    return f"restored {source} into {target}"
