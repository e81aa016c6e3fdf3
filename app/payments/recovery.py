"""Recovering card payments left PROCESSING (app/channels/recovery.py): the bank is asked
what it did with the transaction number; charged -> the merchant is credited from bank
clearing (the payment's completion); declined, short of money or never received -> FAILED
(nothing was posted). An unanswered query leaves the payment as it is."""

from __future__ import annotations

from models import Transaction

from ..channels import calls, recovery
from ..channels.base import NOT_FOUND, SUCCEEDED, UNKNOWN
from . import channels
from .channel_completion import complete_payment, fail_payment
from .channel_payments import BANK_CARD

REFUSED = frozenset({"DECLINED", "INSUFFICIENT_FUNDS", "FAILED", NOT_FOUND})


async def recover_payment(tx: Transaction) -> str:
    if tx.channel != BANK_CARD:
        return UNKNOWN  # third-party payments wait PENDING for the provider's webhook instead
    result = await calls.call(lambda: channels.bank().query(tx.transaction_no), tx.transaction_no, "payment query")
    if result.status == SUCCEEDED:
        await complete_payment(tx.id, external_ref=result.reference)
    elif result.status in REFUSED:
        await fail_payment(tx.id)
    else:
        return UNKNOWN
    return await recovery.outcome_of(tx.id)

