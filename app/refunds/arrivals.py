"""Refunds on their way back through a bank (or a provider that answered PENDING) arrive
at their expected time: the REFUND transaction succeeds and the refund completes.

Only rows whose journal was written have ``expected_arrival_at`` set (app/refunds/returns.py),
so completing them keeps "every succeeded transaction has exactly one journal".
"""

from __future__ import annotations

from datetime import datetime

from models import Refund, Transaction

from ..events.outbox import unit_of_work
from ..ledger.finished import finished
from ..ledger.vocabulary import TransactionStatus, TransactionType
from . import notices
from .states import APPROVED, COMPLETED

BATCH = 500


async def complete_arrived(now: datetime) -> int:
    due = await Transaction.filter(
        type=TransactionType.REFUND, status=TransactionStatus.PROCESSING, expected_arrival_at__lte=now
    ).order_by("id").limit(BATCH)
    done = 0
    for tx in due:
        if await complete_one(tx.id, now):
            done += 1
    return done


async def complete_one(transaction_id: int, now: datetime) -> bool:
    """Complete one posted refund that has arrived; False when someone else did it first."""
    async with unit_of_work() as uow:
        # Conditional: another worker may have completed it a moment ago.
        changed = await Transaction.filter(
            id=transaction_id, status=TransactionStatus.PROCESSING, expected_arrival_at__lte=now
        ).using_db(uow.conn).update(status=TransactionStatus.SUCCEEDED, completed_at=now)
        if changed != 1:
            return False
        await finished(uow.conn, transaction_id, TransactionStatus.SUCCEEDED, TransactionType.REFUND)
        await Refund.filter(refund_transaction_id=transaction_id, status=APPROVED).using_db(uow.conn).update(
            status=COMPLETED, completed_at=now
        )
        refund = await Refund.get_or_none(refund_transaction_id=transaction_id, using_db=uow.conn)
        if refund is not None:
            await notices.arrived(refund, uow.conn)
    return True
