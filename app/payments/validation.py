"""Input checks shared by the payment mutations (each failure names its input field)."""

from __future__ import annotations

from ..errors import DomainError, ErrorCode, input_field
from ..movement_bounds import require_within_movement_maximum


def positive_amount(amount: int | None, field: str = "amount") -> int:
    if amount is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入金额", input_field(field))
    if not isinstance(amount, int) or amount <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "金额必须大于 0", input_field(field))
    return require_within_movement_maximum(amount, input_field(field))


def optional_text(value: str | None, max_length: int, field: str) -> str | None:
    """Trimmed text or None when blank; longer than ``max_length`` is refused."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) > max_length or not text.isprintable():
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, f"内容不能超过 {max_length} 个字符且不能含控制字符", input_field(field)
        )
    return text


def required_text(value: str, max_length: int, field: str) -> str:
    text = optional_text(value, max_length, field)
    if text is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "此项不能为空", input_field(field))
    return text
