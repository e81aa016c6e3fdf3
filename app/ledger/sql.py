"""Raw SQL on the current connection, with '?' placeholders on every backend."""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\?")


def _for_dialect(conn: Any, text: str) -> str:
    if conn.capabilities.dialect == "postgres":
        counter = iter(range(1, 10_000))
        return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", text)
    return text


async def fetch(conn: Any, text: str, *values: Any) -> list[dict[str, Any]]:
    # execute_query_dict always fetches rows (execute_query drops UPDATE ... RETURNING rows on asyncpg).
    rows = await conn.execute_query_dict(_for_dialect(conn, text), list(values))
    return [dict(row) for row in rows]


async def execute(conn: Any, text: str, *values: Any) -> int:
    count, _ = await conn.execute_query(_for_dialect(conn, text), list(values))
    return count
