"""Custom scalars. Money is a decimal yuan string outside and integer fen inside."""

from __future__ import annotations

from typing import NewType

import strawberry

from app.money import MalformedAmount, format_fen, parse_yuan


def _parse_money(value: object) -> int:
    if not isinstance(value, str):
        raise MalformedAmount('Money must be a string such as "10.00"')
    return parse_yuan(value)


Money = strawberry.scalar(
    NewType("Money", int),
    name="Money",
    description='Amount in yuan as a decimal string with two fraction digits, e.g. "10.00".',
    serialize=format_fen,
    parse_value=_parse_money,
)
