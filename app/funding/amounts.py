"""Amount rules of top-ups and withdrawals (seed 3.3): whole yuan, with a minimum and the movement maximum."""

from __future__ import annotations

from ..errors import DomainError, ErrorCode, input_field
from ..money import format_fen
from ..movement_bounds import require_within_movement_maximum

TOP_UP_MINIMUM = 1_000  # 10.00 yuan
WITHDRAWAL_MINIMUM = 5_000  # 50.00 yuan


def require_whole_yuan(amount: int, minimum: int, field: str = "amount") -> None:
    if amount <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "金额必须大于 0", input_field(field))
    if amount % 100:
        raise DomainError(ErrorCode.AMOUNT_NOT_WHOLE_YUAN, "金额须为整数元", input_field(field))
    if amount < minimum:
        raise DomainError(
            ErrorCode.AMOUNT_BELOW_MINIMUM, f"金额不能低于 {format_fen(minimum)} 元", input_field(field)
        )
    require_within_movement_maximum(amount, input_field(field))
