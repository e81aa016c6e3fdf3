"""The TOP_UP completion handlers (table in app/channels/completions.py): pending top-ups
finish here when the provider's (or the bank's) signed notice arrives."""

from __future__ import annotations

from ..events.outbox import unit_of_work
from ..ledger.vocabulary import TransactionStatus
from .topup import credit
from .transitions import transition


async def top_up_succeeded(transaction_id: int) -> bool:
    async with unit_of_work() as uow:
        return await credit(uow, transaction_id, (TransactionStatus.PENDING,))


async def top_up_failed(transaction_id: int) -> bool:
    async with unit_of_work() as uow:
        return await transition(uow.conn, transaction_id, (TransactionStatus.PENDING,), TransactionStatus.FAILED)

