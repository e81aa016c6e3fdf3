"""Custom scalars. Money is a decimal yuan string outside and integer fen inside.

``Money`` is the Python type fields and arguments are annotated with (integer fen, a ``NewType`` of
``int``); ``SCALARS`` maps it to its GraphQL definition and goes into the schema's
``StrawberryConfig(scalar_map=...)`` (schema/root.py), Strawberry's typed way to serve a scalar.
Parsing a malformed amount raises ``MalformedAmount`` (a GraphQL error with code VALIDATION_FAILED)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from app.money import MALFORMED_MESSAGE, MalformedAmount, format_fen, parse_yuan

Money = NewType("Money", int)


def _parse_money(value: object) -> Money:
    if not isinstance(value, str):
        raise MalformedAmount(MALFORMED_MESSAGE)
    return Money(parse_yuan(value))


MONEY_SCALAR = strawberry.scalar(
    name="Money",
    description=(
        'Amount in yuan as a decimal string of ASCII digits with at most two fraction digits, e.g. "10.00"'
        " (no whitespace, no other digit scripts)."
    ),
    serialize=format_fen,
    parse_value=_parse_money,
)

SCALARS: Mapping[object, ScalarDefinition] = {Money: MONEY_SCALAR}
