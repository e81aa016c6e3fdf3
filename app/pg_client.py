"""Tortoise engine module for PostgreSQL: the asyncpg client, with reads that survive a
dropped connection.

When PostgreSQL ends backends (restart, failover, ``pg_terminate_backend``) the pool keeps
their dead connections, and the next query on each one fails. Outside a transaction a
statement is run again on a fresh connection (after the pool has been told to replace its
connections) when that is safe: a read always; a write only if asyncpg refused it before
sending it (the connection was already unusable), never when the connection dropped while
the statement was on its way (it may have run). Transactions are repaired at BEGIN by
``app.db.Atomic``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient

T = TypeVar("T")
ATTEMPTS = 3

CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)


# Raised by asyncpg before the statement left the client: running it again cannot repeat it.
NOT_SENT_ERRORS: tuple[type[BaseException], ...] = (asyncpg.InterfaceError, asyncpg.InternalClientError)


def is_read(query: str) -> bool:
    return query.lstrip().upper().startswith("SELECT")


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Pool release without asyncpg's default reset query (CLOSE ALL, UNLISTEN, RESET ALL,
    advisory unlock): fenpay never changes session state, so that query only cost a round
    trip after every statement run outside a transaction. asyncpg still rolls back an open
    transaction before calling this."""


class ResilientAsyncpgClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: object) -> asyncpg.Pool:
        return await asyncpg.create_pool(None, reset=_keep_session, **kwargs)

    async def _retrying(self, query: str, run: Callable[[], Awaitable[T]]) -> T:
        read = is_read(query)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await run()
            except CONNECTION_ERRORS as exc:
                if attempt == ATTEMPTS or not (read or isinstance(exc, NOT_SENT_ERRORS)):
                    raise
                if self._pool is not None:
                    await self._pool.expire_connections()
        raise AssertionError("unreachable")

    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, list[dict]]:
        return await self._retrying(query, lambda: super(ResilientAsyncpgClient, self).execute_query(query, values))

    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        return await self._retrying(
            query, lambda: super(ResilientAsyncpgClient, self).execute_query_dict(query, values)
        )


client_class = ResilientAsyncpgClient

