"""Relay pagination over Tortoise querysets, newest first, by keyset on the id.

Cursors are opaque and stable while new rows arrive (they name a row, not an offset).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.errors import DomainError, ErrorCode

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


class BadPageRequest(DomainError):
    pass


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"c:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, argument: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, pk = raw.partition(":")
        if prefix != "c":
            raise ValueError
        return int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadPageRequest(ErrorCode.VALIDATION_FAILED, f"invalid cursor in {argument}", (argument,)) from None


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    total: int


def _check_size(value: int | None, argument: str) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE:
        raise BadPageRequest(
            ErrorCode.VALIDATION_FAILED, f"{argument} must be between 0 and {MAX_PAGE}", (argument,)
        )


async def paginate(
    queryset: Any,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    ascending: bool = False,
    count: bool = True,
) -> Page[Any]:
    """Page through ``queryset`` ordered by id (descending unless ``ascending``)."""
    _check_size(first, "first")
    _check_size(last, "last")
    total = await queryset.count() if count else -1
    # Position predicates in the listing's order.
    forward_op, backward_op = ("gt", "lt") if ascending else ("lt", "gt")
    if after is not None:
        queryset = queryset.filter(**{f"id__{forward_op}": decode_cursor(after, "after")})
    if before is not None:
        queryset = queryset.filter(**{f"id__{backward_op}": decode_cursor(before, "before")})
    order = "id" if ascending else "-id"
    reverse_order = "-id" if ascending else "id"
    if last is not None and first is None:
        rows = list(await queryset.order_by(reverse_order).limit(last + 1))
        has_previous = len(rows) > last
        rows = list(reversed(rows[:last]))
        has_next = before is not None
    else:
        size = DEFAULT_PAGE if first is None else first
        rows = list(await queryset.order_by(order).limit(size + 1))
        has_next = len(rows) > size
        rows = rows[:size]
        if last is not None:
            rows = rows[-last:] if last else []
        has_previous = after is not None
    return Page(
        items=rows,
        cursors=[encode_cursor(row.id) for row in rows],
        has_next=has_next,
        has_previous=has_previous,
        total=total,
    )
