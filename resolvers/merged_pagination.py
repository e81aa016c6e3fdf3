"""Relay pagination over the union of disjoint querysets, newest first by id.

Each queryset is read with its own keyset scan limited to one page (plus one row to
know whether more exist); the pages are merged by id. Cursors are the same opaque,
stable id cursors as resolvers/pagination.py, so a cursor stays valid while new rows
arrive, and ``totalCount`` is the sum of the sets' counts.
"""

from __future__ import annotations

from typing import Any

from app.errors import ErrorCode

from .pagination import DEFAULT_PAGE, MAX_PAGE, BadPageRequest, Page, decode_cursor, encode_cursor


def check_size(value: int | None, argument: str) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE:
        raise BadPageRequest(
            ErrorCode.VALIDATION_FAILED,
            f"{argument} 须在 0 到 {MAX_PAGE} 之间 ({argument} must be between 0 and {MAX_PAGE})",
            (argument,),
        )


async def _newest(querysets: list[Any], size: int) -> list[Any]:
    rows = [row for qs in querysets for row in await qs.order_by("-id").limit(size)]
    return sorted(rows, key=lambda row: row.id, reverse=True)[:size]


async def _oldest(querysets: list[Any], size: int) -> list[Any]:
    rows = [row for qs in querysets for row in await qs.order_by("id").limit(size)]
    return sorted(rows, key=lambda row: row.id)[:size]


async def paginate_merged(
    querysets: list[Any],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page[Any]:
    check_size(first, "first")
    check_size(last, "last")
    after_id = decode_cursor(after, "after") if after is not None else None
    before_id = decode_cursor(before, "before") if before is not None else None
    total = 0
    for qs in querysets:
        total += await qs.count()
    positioned = []
    for qs in querysets:
        if after_id is not None:
            qs = qs.filter(id__lt=after_id)
        if before_id is not None:
            qs = qs.filter(id__gt=before_id)
        positioned.append(qs)
    if last is not None and first is None:
        rows = await _oldest(positioned, last + 1)
        has_previous = len(rows) > last
        rows = list(reversed(rows[:last]))
        has_next = before_id is not None
    else:
        size = DEFAULT_PAGE if first is None else first
        rows = await _newest(positioned, size + 1)
        has_next = len(rows) > size
        rows = rows[:size]
        if last is not None:
            rows = rows[-last:] if last else []
        has_previous = after_id is not None
    return Page(
        items=rows,
        cursors=[encode_cursor(row.id) for row in rows],
        has_next=has_next,
        has_previous=has_previous,
        total=total,
    )

