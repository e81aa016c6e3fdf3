"""Currencies a merchant may be paid in (its account's currency), with their ISO 4217 minor units.

Amounts are integers in each currency's minor unit (fen for CNY, cents for USD/HKD/EUR,
whole yen for JPY, which has no minor unit). At the API edge an amount is a decimal string
with exactly the currency's number of fraction digits (``"12.34"`` USD, ``"1500"`` JPY).
"""

from __future__ import annotations

import re

from ..errors import DomainError, ErrorCode

CNY = "CNY"
MINOR_UNITS: dict[str, int] = {"CNY": 2, "HKD": 2, "USD": 2, "EUR": 2, "JPY": 0}
"""ISO 4217 exponent of each supported currency."""

_AMOUNT = re.compile(r"([0-9]{1,15})(?:\.([0-9]{1,2}))?", re.ASCII)


def supported(currency: str, field: tuple[str, ...]) -> str:
    """``currency`` upper-cased when a merchant may be paid in it; CURRENCY_NOT_SUPPORTED (``field``) otherwise."""
    code = str(getattr(currency, "value", currency) or "").strip().upper()
    if code not in MINOR_UNITS:
        raise DomainError(
            ErrorCode.CURRENCY_NOT_SUPPORTED,
            f"不支持的币种 {currency}：可用 {', '.join(MINOR_UNITS)}",
            field,
        )
    return code


def parse_amount(text: str, currency: str, field: tuple[str, ...]) -> int:
    """A positive decimal amount in ``currency`` -> integer minor units.

    At most the currency's fraction digits (none for JPY). INVALID_AMOUNT (``field``) for
    anything else, zero included."""
    digits = MINOR_UNITS[currency]
    match = _AMOUNT.fullmatch(text) if isinstance(text, str) else None
    if match is None or (match.group(2) is not None and len(match.group(2)) > digits):
        unit = "整数" if digits == 0 else f"最多 {digits} 位小数"
        raise DomainError(ErrorCode.INVALID_AMOUNT, f"{currency} 金额格式不正确（{unit}）", field)
    whole, fraction = match.groups()
    minor = int(whole) * 10**digits + (int((fraction or "").ljust(digits, "0")) if digits else 0)
    if minor <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "金额必须大于 0", field)
    return minor


def format_minor(amount: int, currency: str) -> str:
    """Integer minor units -> decimal string with the currency's fraction digits
    (``1050, "USD"`` -> ``"10.50"``; ``1500, "JPY"`` -> ``"1500"``)."""
    digits = MINOR_UNITS[currency]
    if digits == 0:
        return str(int(amount))
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(int(amount)), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}"
