"""Recovering payouts left PROCESSING (a bank call that timed out or raised; app/channels/recovery.py).

The bank is asked what it did with the payout's transaction number: paid -> posted and
PAYOUT_PAID; refused or never received -> the hold released and PAYOUT_FAILED; no answer
-> left as it is (money held).
"""

from __future__ import annotations

from models import Transaction
from models.merchant_platform_money import Payout

from ..channels import calls, recovery
from ..channels.base import UNKNOWN
from ..channels.registry import bank_channel
from .payouts import conclude


async def recover_payout(tx: Transaction) -> str:
    payout = await Payout.get_or_none(transaction_id=tx.id)
    if payout is None:
        return UNKNOWN

    def ask():  # noqa: ANN202 - the channel call, made by calls.call
        return bank_channel().query(tx.transaction_no)

    await conclude(payout.id, await calls.call(ask, tx.transaction_no, "merchant payout query"))
    return await recovery.outcome_of(tx.id)

