"""Custom scalars. Money is a decimal yuan string outside and integer fen inside."""

from __future__ import annotations

from typing import NewType

import strawberry

from app.money import MALFORMED_MESSAGE, MalformedAmount, format_fen, parse_yuan


def _parse_money(value: object) -> int:
    if not isinstance(value, str):
        raise MalformedAmount(MALFORMED_MESSAGE)
    return parse_yuan(value)


Money = strawberry.scalar(
    NewType("Money", int),
    name="Money",
    description=(
        'Amount in yuan as a decimal string of ASCII digits with at most two fraction digits, e.g. "10.00"'
        " (no whitespace, no other digit scripts)."
    ),
    serialize=format_fen,
    parse_value=_parse_money,
)
