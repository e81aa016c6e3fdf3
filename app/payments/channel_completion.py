"""Completing or failing a payment that went through a bank or third-party channel.

Completion ("capture" in card terms) is the second step of a channel payment: the channel
has taken the payer's money, so its clearing account pays the merchant account and the
payment is SUCCEEDED. A bank-card payment completes right after the bank's answer; a
third-party payment stays PENDING until the provider's signed webhook reaches the money
core, which calls ``on_payment_succeeded``/``on_payment_failed`` with the Transaction id
(listed in ``HANDLERS`` of app/channels/completions.py; the expiry job of stale pending
payments calls ``on_payment_failed``).
Both are idempotent: only the first call moves a PENDING/PROCESSING payment on (a
conditional UPDATE) and returns True; repeats and late calls do nothing and return False.
"""

from __future__ import annotations

from models import Account, Transaction

from .. import clock
from ..events.outbox import unit_of_work
from ..ledger import journal
from ..ledger.clearing import clearing_account
from ..ledger.finished import finished
from ..ledger.vocabulary import OPEN_STATUSES, TransactionStatus, TransactionType

PAYMENT = TransactionType.PAYMENT


async def complete_payment(transaction_id: int, *, external_ref: str | None = None) -> bool:
    """Credit the merchant account from the channel's clearing account and mark the payment
    SUCCEEDED; False if it was already completed or failed."""
    now = clock.now()
    changes: dict[str, object] = {"status": TransactionStatus.SUCCEEDED, "completed_at": now}
    if external_ref:
        changes["external_ref"] = external_ref
    async with unit_of_work() as uow:
        moved = await (
            Transaction.filter(id=transaction_id, type=PAYMENT, status__in=OPEN_STATUSES)
            .using_db(uow.conn)
            .update(**changes)
        )
        if not moved:
            return False
        await finished(uow.conn, transaction_id, TransactionStatus.SUCCEEDED, PAYMENT)
        tx = await Transaction.get(id=transaction_id, using_db=uow.conn)
        clearing = await clearing_account(tx.channel)
        merchant_account = await Account.get(id=tx.counterparty_account_id, using_db=uow.conn)
        await journal.post(
            uow.conn,
            [journal.Leg(clearing, -tx.amount), journal.Leg(merchant_account, tx.amount)],
            transaction_id=tx.id,
        )
    return True


async def fail_payment(transaction_id: int) -> bool:
    """Mark an open channel payment FAILED (nothing was posted); False if it was not open."""
    moved = await Transaction.filter(id=transaction_id, type=PAYMENT, status__in=OPEN_STATUSES).update(
        status=TransactionStatus.FAILED, completed_at=clock.now()
    )
    if moved:
        await finished(None, transaction_id, TransactionStatus.FAILED, PAYMENT)
    return bool(moved)


async def on_payment_succeeded(transaction_id: int) -> bool:
    return await complete_payment(transaction_id)


async def on_payment_failed(transaction_id: int) -> bool:
    return await fail_payment(transaction_id)
