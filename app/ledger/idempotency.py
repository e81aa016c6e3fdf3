"""Idempotency keys for money mutations.

``record_once`` runs at the end of the movement's database transaction (the money
kernel, ``kernel.py``): it inserts (user, key, request hash, result). A concurrent
duplicate blocks on the unique index until the first commits, then finds the stored
record and rolls back; a duplicate after a rollback simply runs again (nothing moved
the first time). ``claim`` + ``complete`` do the same in two steps, for mutations
that are not movements of the kernel (a merchant payout request).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from tortoise import connections

from models import IdempotencyRecord

from .. import clock
from ..db import Conn
from ..errors import DomainError, ErrorCode
from . import sql

# Never part of the hash: secrets must not be derivable from stored hashes.
SECRET_FIELDS = frozenset({"paymentPassword", "payment_password", "verificationCode", "verification_code"})
RETENTION = timedelta(hours=48)


def request_hash(operation: str, request: dict[str, Any]) -> str:
    clean = {k: v for k, v in request.items() if k not in SECRET_FIELDS and k != "idempotency_key"}
    body = orjson.dumps({"op": operation, "req": clean}, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(body).hexdigest()


@dataclass
class Claim:
    record_id: int | None
    """Set when this request owns the key and must do the work."""
    replay: IdempotencyRecord | None
    """Set when the key was used before with the same request."""


def validate_key(key: str) -> None:
    if not 1 <= len(key) <= 64 or not key.isprintable():
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, "幂等键须为 1-64 个字符", ("input", "idempotencyKey")
        )


def _check_same_request(existing: IdempotencyRecord, operation: str, digest: str) -> None:
    if existing.operation != operation or existing.request_hash != digest:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "该幂等键已用于另一笔不同的请求",
            ("input", "idempotencyKey"),
        )


async def find(user_id: int, key: str, operation: str, digest: str) -> IdempotencyRecord | None:
    """A committed earlier use of the key (checked before any side effect such as a risk check).

    Raises IDEMPOTENCY_KEY_REUSED when the key was used for a different request.
    ``record_once``/``claim`` stay the authority: a concurrent first use may commit after this look.
    """
    validate_key(key)
    # Nearly every request brings a new key: a bare index probe answers those without
    # building an ORM query or object.
    if not await sql.fetch(
        connections.get("default"), "SELECT id FROM idempotency_records WHERE user_id = ? AND key = ?", user_id, key
    ):
        return None
    existing = await IdempotencyRecord.get_or_none(user_id=user_id, key=key)
    if existing is not None:
        _check_same_request(existing, operation, digest)
    return existing


def error_result(error: DomainError) -> dict[str, Any]:
    """A stored result that makes a replay fail the way the first request failed."""
    return {"error": {"code": error.code.value, "message": error.message, "field": list(error.field or ())}}


def raise_stored_error(record: IdempotencyRecord) -> None:
    """Raise the stored failure of ``record``, if the first request failed."""
    stored = (record.result or {}).get("error")
    if stored:
        raise DomainError(ErrorCode(stored["code"]), stored["message"], tuple(stored["field"]) or None)


async def claim(conn: Conn, user_id: int, key: str, operation: str, digest: str) -> Claim:
    validate_key(key)
    rows = await sql.fetch(
        conn,
        "INSERT INTO idempotency_records (user_id, key, operation, request_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
        user_id,
        key,
        operation,
        digest,
        clock.now(),
    )
    if rows:
        return Claim(record_id=int(rows[0]["id"]), replay=None)
    existing = await IdempotencyRecord.get(user_id=user_id, key=key, using_db=conn)
    _check_same_request(existing, operation, digest)
    return Claim(record_id=None, replay=existing)


async def record_once(
    conn: Conn, user_id: int, key: str, operation: str, digest: str, *, transaction_id: int, result: dict[str, Any]
) -> IdempotencyRecord | None:
    """Store the key with its finished result, at the end of the mutation's transaction.

    Returns None when this request is the key's first use; otherwise the earlier record
    (a concurrent duplicate that committed first: the caller rolls back and replays it).
    For movements whose duplicates already serialize on the payer's wallet row, so the work
    done before this point is rolled back if the key turns out to be taken.
    """
    validate_key(key)
    rows = await sql.fetch(
        conn,
        "INSERT INTO idempotency_records (user_id, key, operation, request_hash, transaction_id, result, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
        user_id,
        key,
        operation,
        digest,
        transaction_id,
        orjson.dumps(result).decode(),
        clock.now(),
    )
    if rows:
        return None
    return await taken(conn, user_id, key, operation, digest)


async def taken(conn: Conn, user_id: int, key: str, operation: str, digest: str) -> IdempotencyRecord:
    """The record that holds the key (its insert found it taken), read on ``conn``; raises
    IDEMPOTENCY_KEY_REUSED when it was stored for another request."""
    existing = await IdempotencyRecord.get(user_id=user_id, key=key, using_db=conn)
    _check_same_request(existing, operation, digest)
    return existing


async def complete(
    conn: Conn, record_id: int, *, transaction_id: int | None, result: dict[str, Any] | None = None
) -> None:
    await IdempotencyRecord.filter(id=record_id).using_db(conn).update(
        transaction_id=transaction_id, result=result or {}
    )


async def purge_expired() -> int:
    return await IdempotencyRecord.filter(created_at__lt=clock.now() - RETENTION).delete()
