"""Recovering refund payouts left PROCESSING (app/channels/recovery.py).

- Nothing posted yet (the payout call raised or timed out, or the worker died): the
  channel is asked what it did with the REFUND transaction number; paid (or pending at
  the provider) -> posted as the approval would have (``returns.finish_payout``);
  refused or never received -> the REFUND transaction fails and the refund goes back to
  the review queue. An unanswered query leaves it as it is.
- Posted and on its way: left to the arrivals job (app/refunds/arrivals.py), which
  completes it at its expected arrival; past the maximum age after that it alerts too.
"""

from __future__ import annotations

from models import Refund, Transaction

from ..channels import calls, recovery
from ..channels.base import UNKNOWN
from . import channels
from .returns import finish_payout
from .ways import ReturnWay


async def recover_refund(tx: Transaction) -> str:
    if tx.expected_arrival_at is not None:
        return await recovery.outcome_of(tx.id)
    refund = await Refund.get_or_none(id=tx.reference_id) if tx.reference_id is not None else None
    if refund is None:
        return UNKNOWN
    channel = channels.bank() if ReturnWay(tx.channel) is ReturnWay.BANK_CARD else channels.third_party()
    result = await calls.call(lambda: channel.query(tx.transaction_no), tx.transaction_no, "refund query")
    if result.status == UNKNOWN:
        return UNKNOWN
    await finish_payout(refund, tx, result)
    return await recovery.outcome_of(tx.id)

