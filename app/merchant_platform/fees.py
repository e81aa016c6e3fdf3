"""Merchant fees: each paid order pays its merchant's fee rate to the platform's fee income.

Amounts are integer fen; rates are basis points (60 = 0.6 %). Rounding is half-up to the fen.
A refund returns the fee pro rata, computed on cumulative amounts so the returns of a fully
refunded order add up to exactly its fee.
"""

from __future__ import annotations

from ..errors import DomainError, ErrorCode, input_field

DEFAULT_FEE_RATE_BPS = 60
MAX_FEE_RATE_BPS = 10_000
BPS = 10_000


def _half_up_div(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) half-up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def fee_of(amount: int, fee_rate_bps: int) -> int:
    """The fee in fen of a paid order of ``amount`` fen: half-up of amount x rate / 10,000."""
    return _half_up_div(amount * fee_rate_bps, BPS)


def fee_refund_of(order_amount: int, order_fee: int, refunded_before: int, refund_amount: int) -> int:
    """The part of ``order_fee`` a refund of ``refund_amount`` returns, given what was refunded
    before: pro rata on the cumulative refunded amount, half-up."""
    after = _half_up_div(order_fee * (refunded_before + refund_amount), order_amount)
    before = _half_up_div(order_fee * refunded_before, order_amount)
    return after - before


def checked_fee_rate(value: int) -> int:
    """A fee rate an ADMIN may set: 0 to 10,000 basis points (VALIDATION_FAILED otherwise)."""
    if not isinstance(value, int) or not 0 <= value <= MAX_FEE_RATE_BPS:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, f"费率须在 0 到 {MAX_FEE_RATE_BPS} 个基点之间", input_field("feeRateBps")
        )
    return value
