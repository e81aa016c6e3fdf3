"""The largest amount one movement may carry (payments, transfers, QR payments, top-ups,
withdrawals, wealth purchases and redemptions, refunds).

Checked where each movement validates its input, before any row is written or any channel
is called, so an oversize amount is refused with nothing charged. The bound (setting
``FENPAY_MAX_MOVEMENT_FEN``, default 100,000,000 fen = 1,000,000.00 yuan) also keeps every
balance far inside the signed 64-bit fen columns: reaching 2**63 fen would take more than
90 billion maximal movements.
"""

from __future__ import annotations

from . import runtime
from .errors import DomainError, ErrorCode
from .money import format_fen


def max_movement_fen() -> int:
    """The configured maximum of one movement, in fen."""
    return runtime.settings().max_movement_fen


def require_within_movement_maximum(amount: int, field: tuple[str, ...] | None) -> int:
    """Return ``amount`` (fen) or raise AMOUNT_TOO_LARGE naming ``field`` when it is above the maximum."""
    maximum = max_movement_fen()
    if amount > maximum:
        raise DomainError(
            ErrorCode.AMOUNT_TOO_LARGE,
            f"单笔金额不能超过 {format_fen(maximum)} 元",
            field,
        )
    return amount
