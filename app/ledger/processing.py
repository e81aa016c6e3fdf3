"""Movements waiting on an external rail (status PROCESSING) and how long they have waited.

A movement's wait starts when it was created, except a bank-card withdrawal (claimed for
payout later: ``rail_attempts.started_at``) and a refund already posted and on its way
(its ``expected_arrival_at``; the arrivals job completes it then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from models import Transaction
from models.channels import RailAttempt

from ..db import Conn
from .vocabulary import TransactionStatus, TransactionType

BATCH = 500


@dataclass(frozen=True)
class Waiting:
    transaction: Transaction
    since: datetime


def _since(tx: Transaction, started: dict[int, datetime]) -> datetime:
    if tx.id in started:
        return started[tx.id]
    created: datetime = tx.created_at
    arrival: datetime | None = tx.expected_arrival_at
    if tx.type == TransactionType.REFUND and arrival is not None:
        return max(created, arrival)
    return created


async def waiting_longer_than(now: datetime, age: timedelta, *, limit: int = BATCH) -> list[Waiting]:
    """PROCESSING movements that have waited more than ``age`` at ``now``, oldest id first."""
    cutoff = now - age
    # Refunds posted and on their way until a later arrival are not waiting on anyone yet.
    # (isnull spelled out: a NULL comparison inside NOT would exclude the unposted ones too.)
    on_their_way = Q(type=TransactionType.REFUND, expected_arrival_at__isnull=False, expected_arrival_at__gte=cutoff)
    candidates = (
        await Transaction.filter(status=TransactionStatus.PROCESSING, created_at__lt=cutoff)
        .exclude(on_their_way)
        .order_by("id")
        .limit(limit)
    )
    if not candidates:
        return []
    rows = await RailAttempt.filter(transaction_id__in=[tx.id for tx in candidates]).values_list(
        "transaction_id", "started_at"
    )
    started = {int(tid): at for tid, at in rows}
    waiting = [Waiting(tx, _since(tx, started)) for tx in candidates]
    return [w for w in waiting if w.since < cutoff]


async def mark_started(conn: Conn, transaction_id: int) -> None:
    """Inside the transaction that moves a movement to PROCESSING later than its creation."""
    await RailAttempt.create(transaction_id=transaction_id, using_db=conn)
