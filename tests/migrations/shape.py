"""The shape of a live database, read with the plain driver (no Tortoise), comparable across
two databases of one dialect: per table its columns (type, NOT NULL, default), primary key,
indexes (name, columns, unique) and foreign keys. CHECK constraints, triggers and comments are
not part of it: the models cannot declare them (they are tested by what they refuse)."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urlsplit

Shape = dict[str, dict[str, Any]]


def sqlite_shape(path: str) -> Shape:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        shape: Shape = {}
        for table in tables:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            indexes = []
            for _, name, unique, origin, _partial in conn.execute(f'PRAGMA index_list("{table}")').fetchall():
                columns = [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")').fetchall()]
                # Automatic indexes of UNIQUE/PRIMARY KEY constraints have generated names.
                shown = name if origin == "c" else origin
                indexes.append((shown, tuple(columns), bool(unique)))
            foreign_keys = [(r[3], r[2], r[4], r[6]) for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')]
            shape[table] = {
                "columns": {r[1]: (r[2].upper(), bool(r[3]), r[4]) for r in info},
                "primary_key": tuple(r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]),
                "indexes": sorted(indexes),
                "foreign_keys": sorted(foreign_keys),
            }
        return shape
    finally:
        conn.close()


_PG_COLUMNS = """
SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name
"""
_PG_INDEXES = """
SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique,
       ix.indisprimary AS is_primary, c.conname IS NOT NULL AS from_constraint,
       ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
FROM pg_index ix
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
LEFT JOIN pg_constraint c ON c.conindid = ix.indexrelid AND c.contype IN ('u', 'p')
WHERE ns.nspname = current_schema()
"""
_PG_FOREIGN_KEYS = """
SELECT t.relname AS table_name, a.attname AS column_name, ft.relname AS ref_table,
       fa.attname AS ref_column, c.confdeltype::text AS on_delete
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_class ft ON ft.oid = c.confrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
WHERE c.contype = 'f' AND ns.nspname = current_schema()
"""


async def connect_postgres(url: str) -> Any:
    import asyncpg

    parts = urlsplit(url)
    return await asyncpg.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password, database=(parts.path or "/postgres").lstrip("/") or "postgres",
    )


async def postgres_shape(url: str) -> Shape:
    conn = await connect_postgres(url)
    try:
        shape: Shape = {}
        for r in await conn.fetch(_PG_COLUMNS):
            table = shape.setdefault(r["table_name"], {"columns": {}, "primary_key": (), "indexes": [], "foreign_keys": []})
            kind = r["data_type"].upper() + (f"({r['character_maximum_length']})" if r["character_maximum_length"] else "")
            table["columns"][r["column_name"]] = (kind, r["is_nullable"] == "NO", r["column_default"])
        for r in await conn.fetch(_PG_INDEXES):
            table = shape[r["table_name"]]
            if r["is_primary"]:
                table["primary_key"] = tuple(r["columns"])
                continue
            # Indexes behind UNIQUE constraints have generated names on SQLite; compare them by columns.
            shown = "u" if r["from_constraint"] else r["index_name"]
            table["indexes"].append((shown, tuple(r["columns"]), bool(r["is_unique"])))
        on_delete = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
        for r in await conn.fetch(_PG_FOREIGN_KEYS):
            shape[r["table_name"]]["foreign_keys"].append(
                (r["column_name"], r["ref_table"], r["ref_column"], on_delete[r["on_delete"]]))
        for table in shape.values():
            table["indexes"].sort()
            table["foreign_keys"].sort()
        return shape
    finally:
        await conn.close()


def differences(expected: Shape, actual: Shape) -> list[str]:
    """Human-readable differences, empty when the shapes agree."""
    lines = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            lines.append(f"table {table}: missing")
            continue
        if table not in expected:
            lines.append(f"table {table}: not in the models")
            continue
        for part in ("primary_key", "indexes", "foreign_keys"):
            if expected[table][part] != actual[table][part]:
                lines.append(f"{table}.{part}: models {expected[table][part]} != migrated {actual[table][part]}")
        want, have = expected[table]["columns"], actual[table]["columns"]
        for column in sorted(set(want) | set(have)):
            if want.get(column) != have.get(column):
                lines.append(f"{table}.{column}: models {want.get(column)} != migrated {have.get(column)}")
    return lines
