"""The one short database transaction that pays from a wallet (payments, QR payments, transfers).

Inside it: own the idempotency key, write the Transaction, post one journal (the payer's
wallet row is the only row locked: a conditional UPDATE in ``journal.post``; a merchant
account only receives a posting, so a hot merchant never serializes its payers), store the
result and queue the balance events. No channel call and no risk check happen in here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from models import Account, IdempotencyRecord, Transaction, User

from .. import clock
from ..errors import DomainError
from ..events.outbox import UnitOfWork, unit_of_work
from ..ledger import idempotency, journal
from ..ledger.accounts import WALLET
from ..ledger.events import emit_balance_changed
from ..ledger.numbers import new_number
from .outcome import Outcome, replay, success_result
from .parties import Party


@dataclass(frozen=True)
class WalletDebit:
    payer: User
    wallet: Account
    credit: Account
    """The receiving account: a merchant's settlement account or another wallet."""
    amount: int
    type: str
    """PAYMENT or TRANSFER."""
    counterparty: Party
    """How the payer sees the receiver."""
    initiator: Party
    """How the receiver sees the payer."""
    description: str | None = None
    reference_id: int | None = None
    recipient: User | None = None
    """The receiving wallet's owner (transfers): gets balanceChanged and an SMS too."""


AfterPost = Callable[[UnitOfWork, Transaction], Awaitable[None]]


class _KeyAlreadyUsed(Exception):
    """Raised inside the transaction to roll it back when a duplicate committed first."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key already used")
        self.record = record


async def debit_wallet(
    debit: WalletDebit,
    *,
    key: str,
    operation: str,
    digest: str,
    after_post: AfterPost | None = None,
) -> Outcome:
    """Move the money in one transaction; INSUFFICIENT_FUNDS (or a refusal raised by
    ``after_post``, e.g. a QR code another payer just used) rolls everything back.

    The idempotency key is stored with its result at the end of the transaction, in the same
    statement that claims it (one round trip instead of a claim and an update). Concurrent
    duplicates debit the same wallet, so they queue on its row: the second one either finds
    the key taken and rolls back, or is refused (the first took the money, or the QR code)
    and then finds the first one's record. Either way it answers with the first result.
    """
    try:
        async with unit_of_work() as uow:
            tx = await Transaction.create(
                transaction_no=new_number("T"),
                type=debit.type,
                status="SUCCEEDED",
                channel="WALLET_BALANCE",
                amount=debit.amount,
                account_id=debit.wallet.id,
                counterparty_account_id=debit.credit.id,
                counterparty_name=debit.counterparty.name,
                counterparty_ref=debit.counterparty.ref,
                initiator_name=debit.initiator.name,
                initiator_ref=debit.initiator.ref,
                description=debit.description,
                reference_id=debit.reference_id,
                completed_at=clock.now(),
                using_db=uow.conn,
            )
            balances = await journal.post(
                uow.conn,
                [journal.Leg(debit.wallet, -debit.amount), journal.Leg(debit.credit, debit.amount)],
                transaction_id=tx.id,
            )
            earlier = await idempotency.record_once(
                uow.conn, debit.payer.id, key, operation, digest, transaction_id=tx.id, result=success_result(tx)
            )
            if earlier is not None:
                raise _KeyAlreadyUsed(earlier)
            await emit_balance_changed(
                uow, debit.wallet, balances[debit.wallet.id], -debit.amount,
                transaction_id=tx.id, sms_phone=debit.payer.phone,
            )
            if debit.credit.kind == WALLET:
                await emit_balance_changed(
                    uow, debit.credit, balances[debit.credit.id], debit.amount,
                    transaction_id=tx.id, sms_phone=debit.recipient.phone if debit.recipient else None,
                )
            if after_post is not None:
                await after_post(uow, tx)
    except _KeyAlreadyUsed as used:
        return await replay(used.record, debit.payer.id)
    except DomainError:
        earlier = await idempotency.find(debit.payer.id, key, operation, digest)
        if earlier is not None:
            return await replay(earlier, debit.payer.id)
        raise
    # The balance the journal just wrote is the wallet's balance after this movement.
    after = balances[debit.wallet.id]
    debit.wallet.available, debit.wallet.frozen = after.available, after.frozen
    return Outcome(transaction=tx, account=debit.wallet)
