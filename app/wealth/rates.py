"""Expected annual returns as integer basis points, and the daily income they earn.

Income is simple interest on the principal: ``principal * rate / 365`` per day, kept
exact by carrying what is below one fen to the next day. The carried remainder is an
integer in units of 1/INCOME_DENOMINATOR fen, so after any number of days at one
principal the paid total is exactly ``floor(principal * rate_bp * days / INCOME_DENOMINATOR)``:
never more than the exact amount and less by under one fen (no drift).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAYS_PER_YEAR = 365
BASIS_POINTS = 10_000
INCOME_DENOMINATOR = DAYS_PER_YEAR * BASIS_POINTS
MAX_RATE_BP = BASIS_POINTS  # 100%: anything above is a typo, not a product

_PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?$")


class MalformedRate(ValueError):
    """Not a percent with at most two decimals between 0 and 100."""


def parse_percent(text: str) -> int:
    """"3.25" -> 325 basis points. Accepts "3", "3.2", "3.25"; refuses signs, exponents, >2 decimals."""
    match = _PERCENT.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise MalformedRate(f"{text!r} is not a percent with at most two decimals")
    whole, fraction = match.groups()
    bp = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    if bp > MAX_RATE_BP:
        raise MalformedRate(f"{text!r} is above 100%")
    return bp


def format_percent(bp: int) -> str:
    """325 -> "3.25"."""
    whole, fraction = divmod(bp, 100)
    return f"{whole}.{fraction:02d}"


@dataclass(frozen=True)
class DailyIncome:
    fen: int
    remainder: int
    """What is carried to the next day, in 1/INCOME_DENOMINATOR fen (always below one fen)."""


def daily_income(principal: int, rate_bp: int, carried: int) -> DailyIncome:
    """One day's income on ``principal`` plus the remainder carried from the day before."""
    fen, remainder = divmod(principal * rate_bp + carried, INCOME_DENOMINATOR)
    return DailyIncome(fen=fen, remainder=remainder)
