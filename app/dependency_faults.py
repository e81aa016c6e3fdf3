"""Telling a failed dependency (database connection, broker, key-value store) from a bug.

A request whose database connection ended mid-transaction, or whose Redis was unreachable,
did not commit anything of its own: the client may retry with the same idempotency key
and either succeed or receive the first result. Such failures answer ``SERVICE_UNAVAILABLE``
instead of the masked "Internal error" that a bug gets.
"""

from __future__ import annotations

import asyncio
import sqlite3

from .errors import DomainError, ErrorCode

SERVICE_UNAVAILABLE_MESSAGE = "服务暂时不可用，请稍后使用相同的请求重试"


def _dependency_types() -> tuple[type[BaseException], ...]:
    """Exception types that mean "a dependency failed", for the drivers that are installed."""
    found: list[type[BaseException]] = [ConnectionError, TimeoutError, asyncio.TimeoutError]
    try:
        import asyncpg

        found += [
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,
            asyncpg.PostgresConnectionError,
            asyncpg.exceptions.OperatorInterventionError,
            asyncpg.exceptions.ConnectionDoesNotExistError,
        ]
    except ImportError:  # pragma: no cover - asyncpg is a dependency of the postgres extra
        pass
    try:
        import redis.exceptions

        found += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    from tortoise.exceptions import DBConnectionError

    found.append(DBConnectionError)
    return tuple(found)


_DEPENDENCY_TYPES = _dependency_types()
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


def _is_dependency_error(error: BaseException) -> bool:
    if isinstance(error, _DEPENDENCY_TYPES):
        return True
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return any(marker in text for marker in _SQLITE_UNAVAILABLE)
    return False


def is_dependency_failure(error: BaseException) -> bool:
    """Whether ``error`` (or an exception it was raised from or during) is a dependency failure.

    Tortoise wraps driver errors (``OperationalError`` from ``asyncpg`` errors), so the
    chain of ``__cause__`` / ``__context__`` is followed (at most 10 links).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 10:
        if isinstance(current, DomainError):
            return False
        if _is_dependency_error(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def service_unavailable() -> DomainError:
    """The domain error a client receives for a dependency failure."""
    return DomainError(ErrorCode.SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_MESSAGE)
