"""Recovering top-ups and withdrawals left PROCESSING (app/channels/recovery.py).

The channel is asked what it did with the transaction number, then the movement is
finished by the same code the normal path uses:

- top-up by card: charged -> credited (clearing -> wallet); declined, short of money or
  never received -> FAILED (nothing was posted);
- withdrawal: paid out -> the held amount goes to clearing and fee income; refused or never
  received -> the hold is released back to available.

Anything else (the query itself unanswered) leaves the movement as it is.
"""

from __future__ import annotations

from models import Transaction

from ..channels import calls, recovery
from ..channels.base import NOT_FOUND, SUCCEEDED, UNKNOWN, ChannelResult
from ..channels.registry import bank_channel, third_party_channel
from ..events.outbox import unit_of_work
from ..ledger.vocabulary import Channel, TransactionStatus
from .payouts import complete_payout, release
from .topup import credit
from .transitions import transition

REFUSED = frozenset({"DECLINED", "INSUFFICIENT_FUNDS", "FAILED", NOT_FOUND})


async def _query(tx: Transaction) -> ChannelResult:
    def ask():  # noqa: ANN202 - the channel call, resolved when run
        channel = third_party_channel() if tx.channel == Channel.THIRD_PARTY else bank_channel()
        return channel.query(tx.transaction_no)

    return await calls.call(ask, tx.transaction_no, f"{tx.type.lower()} query")


async def recover_top_up(tx: Transaction) -> str:
    if tx.channel != Channel.BANK_CARD:
        return UNKNOWN  # third-party and offline top-ups wait PENDING for their notices instead
    result = await _query(tx)
    if result.status == SUCCEEDED:
        async with unit_of_work() as uow:
            await credit(uow, tx.id, (TransactionStatus.PROCESSING,))
        return await recovery.outcome_of(tx.id)
    if result.status in REFUSED:
        async with unit_of_work() as uow:
            await transition(uow.conn, tx.id, (TransactionStatus.PROCESSING,), TransactionStatus.FAILED)
        return await recovery.outcome_of(tx.id)
    return UNKNOWN


async def recover_withdrawal(tx: Transaction) -> str:
    result = await _query(tx)
    if result.status == SUCCEEDED:
        await complete_payout(tx)
    elif result.status in REFUSED:
        await release(tx, "渠道未付款" if result.status == NOT_FOUND else result.message or "渠道退回")
    else:
        return UNKNOWN
    return await recovery.outcome_of(tx.id)

