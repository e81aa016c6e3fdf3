"""Counting the SQL statements a block of test code sends, on either backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiosqlite
import asyncpg.connection as pgconn
import pytest


@contextmanager
def counted_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts every statement either driver sends (asyncpg: prepared and simple ones;
    aiosqlite: every call onto its thread) while the block runs; ``count[0]`` is the total."""
    count = [0]

    def counting(cls: Any, name: str, only_without_arguments: bool = False) -> None:
        original = getattr(cls, name)

        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not (only_without_arguments and len(args) > 1):
                count[0] += 1
            return await original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, wrapper)

    counting(pgconn.Connection, "_execute")
    counting(pgconn.Connection, "execute", only_without_arguments=True)
    counting(pgconn.Connection, "executemany")
    counting(aiosqlite.Connection, "_execute")
    try:
        yield count
    finally:
        monkeypatch.undo()
