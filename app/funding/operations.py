"""The idempotent skeleton shared by top-ups and withdrawals.

``begin`` claims the idempotency key and writes the transaction (plus any hold)
in one short database transaction, before any channel is called, so concurrent
duplicates of one key resolve to one transaction and no lock is held while a
bank answers. ``fail`` stores the failure under the key in the same database
transaction that marks the transaction FAILED, so a replay fails the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from models import Account, IdempotencyRecord, Transaction, User

from ..errors import DomainError
from ..events.outbox import UnitOfWork, unit_of_work
from ..ledger import idempotency
from ..ledger.accounts import wallet_of
from .transitions import transition


@dataclass(frozen=True)
class MoneyResult:
    transaction: Transaction
    wallet: Account


@dataclass(frozen=True)
class Started:
    transaction: Transaction | None = None
    record_id: int | None = None
    replay: IdempotencyRecord | None = None


def request_digest(operation: str, request: dict[str, Any]) -> str:
    return idempotency.request_hash(operation, request)


async def earlier_result(user: User, key: str, operation: str, digest: str) -> MoneyResult | None:
    """The first result when ``key`` was already used for this request (before any side effect)."""
    record = await idempotency.find(user.id, key, operation, digest)
    return await replay(user, record) if record is not None else None


async def replay(user: User, record: IdempotencyRecord) -> MoneyResult:
    idempotency.raise_stored_error(record)
    transaction = await Transaction.get(id=record.transaction_id)
    return MoneyResult(transaction, await wallet_of(user.id))


async def begin(
    user: User,
    key: str,
    operation: str,
    digest: str,
    create: Callable[[UnitOfWork], Awaitable[Transaction]],
) -> Started:
    async with unit_of_work() as uow:
        claim = await idempotency.claim(uow.conn, user.id, key, operation, digest)
        if claim.replay is not None:
            return Started(replay=claim.replay)
        assert claim.record_id is not None
        transaction = await create(uow)
        await idempotency.complete(uow.conn, claim.record_id, transaction_id=transaction.id)
    return Started(transaction=transaction, record_id=claim.record_id)


async def fail(started: Started, from_statuses: tuple[str, ...], error: DomainError) -> NoReturn:
    """Mark the started transaction FAILED (if still in ``from_statuses``), remember ``error``
    under the idempotency key for replays, and raise it."""
    assert started.transaction is not None and started.record_id is not None
    async with unit_of_work() as uow:
        if from_statuses:
            await transition(uow.conn, started.transaction.id, from_statuses, "FAILED")
        await idempotency.complete(
            uow.conn,
            started.record_id,
            transaction_id=started.transaction.id,
            result=idempotency.error_result(error),
        )
    raise error


async def finished(user: User, transaction: Transaction) -> MoneyResult:
    return MoneyResult(await Transaction.get(id=transaction.id), await wallet_of(user.id))
