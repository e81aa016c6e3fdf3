"""After every wallet change: ``balanceChanged`` for the owner and a balance SMS (seed 3.2.3)."""

from __future__ import annotations

from models import Account, Transaction, User

from ..events.outbox import UnitOfWork
from ..ledger.accounts import Balance
from ..ledger.events import emit_balance_changed


async def announce(
    uow: UnitOfWork,
    wallet: Account,
    balance: Balance,
    delta: int,
    transaction: Transaction,
    sms_text: str | None = None,
) -> None:
    """Queue the event and the SMS in the transaction that changed the wallet."""
    owner = await User.get(id=wallet.user_id, using_db=uow.conn)
    await emit_balance_changed(
        uow, wallet, balance, delta, transaction_id=transaction.id, sms_phone=owner.phone, sms_text=sms_text
    )
