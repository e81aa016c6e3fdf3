"""How the money of a transaction goes back: "the original way" (seed 5.2.2 (4))."""

from __future__ import annotations

from enum import Enum

from models import Transaction

from ..ledger.vocabulary import Channel, TransactionType


class ReturnWay(str, Enum):
    WALLET = "WALLET"  # a balance payment: merchant account -> payer's wallet, at once
    TRANSFER = "TRANSFER"  # recipient's available balance -> sender's wallet, at once
    BANK_CARD = "BANK_CARD"  # merchant -> bank clearing -> the card; arrives the next business day
    THIRD_PARTY = "THIRD_PARTY"  # merchant -> third-party clearing -> the payer's provider account


def return_way(tx: Transaction) -> ReturnWay | None:
    """None when the transaction has no way back (not a payment or transfer, or no counterparty)."""
    if tx.counterparty_account_id is None:
        return None
    if tx.type == TransactionType.TRANSFER:
        return ReturnWay.TRANSFER
    if tx.type != TransactionType.PAYMENT:
        return None
    if tx.channel == Channel.WALLET_BALANCE:
        return ReturnWay.WALLET
    if tx.channel == Channel.BANK_CARD and tx.bank_card_id is not None:
        return ReturnWay.BANK_CARD
    if tx.channel == Channel.THIRD_PARTY:
        return ReturnWay.THIRD_PARTY
    return None
