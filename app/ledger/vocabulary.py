"""The words of a transaction (seed 4, DESIGN 3b): its type, status, channel and direction.

Each is a ``StrEnum`` whose values are the strings stored in ``transactions`` and shown by
the API (``schema/money/types.py`` serves these very enums), so a member compares equal to
the column's plain string: ``tx.status == TransactionStatus.SUCCEEDED``.
"""

from __future__ import annotations

from enum import StrEnum


class TransactionType(StrEnum):
    TOP_UP = "TOP_UP"
    WITHDRAWAL = "WITHDRAWAL"
    PAYMENT = "PAYMENT"
    TRANSFER = "TRANSFER"
    REFUND = "REFUND"
    WEALTH_PURCHASE = "WEALTH_PURCHASE"
    WEALTH_REDEMPTION = "WEALTH_REDEMPTION"
    WEALTH_INCOME = "WEALTH_INCOME"
    PAYOUT = "PAYOUT"
    RED_PACKET = "RED_PACKET"
    RED_PACKET_CLAIM = "RED_PACKET_CLAIM"
    RED_PACKET_REFUND = "RED_PACKET_REFUND"


class TransactionStatus(StrEnum):
    """PENDING (created, nothing asked of a channel yet), PROCESSING (a channel is working
    on it), then one of the final SUCCEEDED, FAILED, CANCELED."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


class Channel(StrEnum):
    """Where the money came from or went: the wallet balance, a bank card, a third-party
    payment service, or an offline (counter) payment."""

    WALLET_BALANCE = "WALLET_BALANCE"
    BANK_CARD = "BANK_CARD"
    THIRD_PARTY = "THIRD_PARTY"
    OFFLINE = "OFFLINE"


class Direction(StrEnum):
    IN = "IN"
    OUT = "OUT"

    @property
    def opposite(self) -> Direction:
        return Direction.OUT if self is Direction.IN else Direction.IN


# How the initiating account sees each type; the counterparty sees the opposite.
OWNER_DIRECTION: dict[TransactionType, Direction] = {
    TransactionType.TOP_UP: Direction.IN,
    TransactionType.WITHDRAWAL: Direction.OUT,
    TransactionType.PAYMENT: Direction.OUT,
    TransactionType.TRANSFER: Direction.OUT,
    TransactionType.REFUND: Direction.IN,
    TransactionType.WEALTH_PURCHASE: Direction.OUT,
    TransactionType.WEALTH_REDEMPTION: Direction.IN,
    TransactionType.WEALTH_INCOME: Direction.IN,
    TransactionType.PAYOUT: Direction.OUT,
    TransactionType.RED_PACKET: Direction.OUT,
    TransactionType.RED_PACKET_CLAIM: Direction.IN,
    TransactionType.RED_PACKET_REFUND: Direction.IN,
}

# Not yet final: the money may still move (or be released).
OPEN_STATUSES = (TransactionStatus.PENDING, TransactionStatus.PROCESSING)
# Nothing changes a transaction in these any more.
FINAL_STATUSES = (TransactionStatus.SUCCEEDED, TransactionStatus.FAILED, TransactionStatus.CANCELED)


def direction_of(tx_type: str, *, initiator: bool) -> Direction:
    """IN or OUT for a transaction of ``tx_type`` as the initiator (``initiator=True``) or the
    counterparty sees it. KeyError for a type not in ``TransactionType``."""
    direction = OWNER_DIRECTION[TransactionType(tx_type)]
    return direction if initiator else direction.opposite
