"""Money: integer fen inside; decimal yuan strings ("10.00") at the edge. No floats."""

from __future__ import annotations

import re

# ASCII digits only ("[0-9]", not "\d", which also matches "５", "٥" and "𝟓"), matched with
# ``fullmatch`` so a trailing newline is refused too. The optional ASCII "-" lets a negative
# amount reach the rule that refuses it with INVALID_AMOUNT and the field; at most 15 whole
# digits keep any parsed amount far inside a signed 64-bit fen column.
_YUAN = re.compile(r"(-?)([0-9]{1,15})(?:\.([0-9]{1,2}))?", re.ASCII)
MALFORMED_MESSAGE = '金额格式不正确：请用阿拉伯数字填写元金额，最多两位小数，例如 "10.00"'


class MalformedAmount(ValueError):
    """The text is not a decimal yuan amount with at most two fraction digits.

    ``extensions`` is read by graphql-core: the GraphQL error of a malformed ``Money``
    carries ``code: VALIDATION_FAILED`` like the other validation errors.
    """

    extensions = {"code": "VALIDATION_FAILED"}


def parse_yuan(text: str) -> int:
    """Parse "10", "10.5" or "10.50" into fen.

    Refuses exponents, NaN, blanks, words, more than two decimals, non-ASCII digits
    ("５０", "٥٠", "𝟓𝟎"), surrounding whitespace and a trailing newline (MalformedAmount).
    """
    if not isinstance(text, str):
        raise MalformedAmount(MALFORMED_MESSAGE)
    match = _YUAN.fullmatch(text)
    if match is None:
        raise MalformedAmount(MALFORMED_MESSAGE)
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
