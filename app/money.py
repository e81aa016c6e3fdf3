"""Money: integer fen inside; decimal yuan strings ("10.00") at the edge. No floats."""

from __future__ import annotations

import re

_YUAN = re.compile(r"^(-?)(\d{1,15})(?:\.(\d{1,2}))?$")


class MalformedAmount(ValueError):
    """The text is not a decimal yuan amount with at most two fraction digits."""


def parse_yuan(text: str) -> int:
    """Parse "10", "10.5" or "10.50" into fen. Refuses exponents, NaN, blanks, words, >2 decimals."""
    if not isinstance(text, str):
        raise MalformedAmount("amount must be a decimal string such as \"10.00\"")
    match = _YUAN.match(text)
    if match is None:
        raise MalformedAmount(
            f"{text!r} is not an amount in yuan with at most two decimals, e.g. \"10.00\""
        )
    sign, whole, fraction = match.groups()
    fen = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    return -fen if sign else fen


def format_fen(fen: int) -> str:
    """Format fen as yuan with exactly two decimals: 1050 -> "10.50", -5 -> "-0.05"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def percent_of(fen: int, basis_points: int) -> int:
    """``fen * basis_points / 10000`` rounded half-up to the fen (fees; never negative input)."""
    numerator = fen * basis_points
    whole, remainder = divmod(numerator, 10_000)
    return whole + (1 if remainder * 2 >= 10_000 else 0)
