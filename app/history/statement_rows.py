"""An account's statement page as plain rows, read with one hand-written statement.

The same rows, order, ``totalCount`` and page flags as ``statement.sides`` paged by
``resolvers.merged_pagination.paginate_merged`` (two keyset scans, one per side, merged by
id; the count is the sum of the sides), without an ORM query or model object: the two counts
and the two sides' pages are one SELECT, a count row LEFT JOINed to the merged page (so an
empty page still carries the count). Values come out as Tortoise would set them on a
``Transaction`` (its own column conversions), so what is built from them matches what the
ORM path builds.

Not served here: the counterparty text filter (its case-insensitive match is Tortoise's
``icontains``); ``supported`` says so and the caller takes the ORM path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from tortoise import connections

from models import Transaction

from ..ledger import sql
from .statement import StatementFilter
from .window import window_start

COLUMNS = (
    "id", "transaction_no", "type", "status", "amount", "fee", "channel", "account_id",
    "counterparty_name", "counterparty_ref", "initiator_name", "initiator_ref", "description",
    "created_at", "completed_at", "expected_arrival_at", "checkout_url",
)
(ID, TRANSACTION_NO, TYPE, STATUS, AMOUNT, FEE, CHANNEL, ACCOUNT_ID, COUNTERPARTY_NAME, COUNTERPARTY_REF,
 INITIATOR_NAME, INITIATOR_REF, DESCRIPTION, CREATED_AT, COMPLETED_AT, EXPECTED_ARRIVAL_AT, CHECKOUT_URL) = range(
    len(COLUMNS)
)
_SELECT_LIST = ", ".join(f'"{c}"' for c in COLUMNS)
_SIDES = ("account_id", "counterparty_account_id")


@dataclass(frozen=True, slots=True)
class RowPage:
    """One page: ``rows`` are tuples in ``COLUMNS`` order (newest first), ``total`` the rows
    of both sides in the filtered window, as ``resolvers.pagination.Page`` has them."""

    rows: list[tuple[Any, ...]]
    total: int
    has_next: bool
    has_previous: bool


def supported(f: StatementFilter) -> bool:
    """Whether ``read_page`` serves the (validated) filter ``f``."""
    return f.counterparty is None


def _nullable(kind: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else kind(value)

    return convert


@lru_cache(maxsize=64)
def _converted_columns_of(used: frozenset[str]) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    return tuple((index, convert) for index, convert in _converted_columns() if COLUMNS[index] in used)


@cache
def _converted_columns() -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """(index in ``COLUMNS``, conversion) for each column ``Transaction._init_from_db`` converts
    (the driver's value of the others is kept as it is)."""
    meta = Transaction._meta
    default = {key: field.field_type for key, _, field in meta.db_default_fields}
    complex_ = {key: field.to_python_value for key, _, field in meta.db_complex_fields}
    out: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(COLUMNS):
        if column in default:
            out.append((index, _nullable(default[column])))
        elif column in complex_:
            out.append((index, complex_[column]))
    return tuple(out)


def _db_value(field: str, value: Any) -> Any:
    return Transaction._meta.fields_map[field].to_db_value(value, Transaction)


def _conditions(f: StatementFilter, now: datetime) -> tuple[str, list[Any]]:
    """The filter's predicates after the side's own (``statement._common``), '?' placeholders."""
    start = window_start(now)
    parts = ['"created_at" >= ?']
    values: list[Any] = [_db_value("created_at", max(f.from_, start) if f.from_ else start)]
    if f.to is not None:
        parts.append('"created_at" <= ?')
        values.append(_db_value("created_at", f.to))
    if f.types:
        parts.append(f'"type" IN ({", ".join("?" for _ in f.types)})')
        values.extend(f.types)
    if f.statuses:
        parts.append(f'"status" IN ({", ".join("?" for _ in f.statuses)})')
        values.extend(f.statuses)
    if f.min_amount is not None:
        parts.append('"amount" >= ?')
        values.append(f.min_amount)
    if f.max_amount is not None:
        parts.append('"amount" <= ?')
        values.append(f.max_amount)
    if f.transaction_no is not None:
        parts.append('"transaction_no" = ?')
        values.append(f.transaction_no)
    return " AND ".join(parts), values


@lru_cache(maxsize=128)
def _text(where: str, after: bool, before: bool, backward: bool) -> str:
    """The one SELECT: ``total``, then ``COLUMNS`` (NULLs when the page is empty). The account
    id is a parameter of each side, not a sub-select (say, of a user's wallet): PostgreSQL then
    plans each side with the account's own statistics (an account with many rows reads its page
    backwards off the ``(side, id)`` index; behind a sub-select it read all its rows in the window
    and sorted them: 16-60 ms instead of 0.1-1.5 ms on 200,000 rows, tests/history/test_statement_plan.py)."""
    positioned = where + (' AND "id" < ?' if after else "") + (' AND "id" > ?' if before else "")
    order = "ASC" if backward else "DESC"
    counts = " + ".join(f'(SELECT COUNT(*) FROM "transactions" WHERE "{side}" = ? AND {where})' for side in _SIDES)
    pages = " UNION ALL ".join(
        f'SELECT * FROM (SELECT {_SELECT_LIST} FROM "transactions" WHERE "{side}" = ? AND {positioned}'
        f' ORDER BY "id" {order} LIMIT ?) AS side_{n}'
        for n, side in enumerate(_SIDES)
    )
    return (
        f"SELECT c.total, p.* FROM (SELECT {counts} AS total) AS c"
        f' LEFT JOIN ({pages}) AS p ON 1 = 1 ORDER BY p."id" {order} LIMIT ?'
    )


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which rows: ``size`` (0-100, checked by the caller as ``paginate_merged`` does) newest
    first after ``after_id`` / before ``before_id`` (ids, both optional), or with ``backward``
    the ``size`` oldest of them (as ``last`` asks). The ``first``/``last`` trimming of a page
    that names both is the caller's (see ``resolvers.history``)."""

    size: int
    after_id: int | None = None
    before_id: int | None = None
    backward: bool = False


async def read_page(
    account_id: int, f: StatementFilter, now: datetime, request: PageRequest, used: frozenset[str] | None = None
) -> RowPage:
    """The statement page of the account ``account_id`` (``f`` validated and ``supported``).
    ``used``: the columns the caller reads (default all); only those are converted as Tortoise
    would, the others keep the driver's value."""
    text, arguments = page_statement(account_id, f, now, request)
    found = await sql.fetch_records(connections.get("default"), text, *arguments)
    total = int(found[0][0]) if found else 0
    converted = _converted_columns() if used is None else _converted_columns_of(used)
    rows: list[tuple[Any, ...]] = []
    for record in found:
        if record[1] is None:  # the LEFT JOIN's row of an empty page
            continue
        values = list(record)[1:]
        for index, convert in converted:
            values[index] = convert(values[index])
        rows.append(tuple(values))
    size = request.size
    if request.backward:
        has_previous = len(rows) > size
        return RowPage(list(reversed(rows[:size])), total, request.before_id is not None, has_previous)
    return RowPage(rows[:size], total, len(rows) > size, request.after_id is not None)


def page_statement(account_id: int, f: StatementFilter, now: datetime, request: PageRequest) -> tuple[str, list[Any]]:
    """The page's SELECT ('?' placeholders) and its arguments."""
    where, values = _conditions(f, now)
    positions = [p for p in (request.after_id, request.before_id) if p is not None]
    limit = request.size + 1
    arguments: list[Any] = [account_id, *values, account_id, *values]
    for _ in _SIDES:
        arguments += [account_id, *values, *positions, limit]
    arguments.append(limit)
    return _text(where, request.after_id is not None, request.before_id is not None, request.backward), arguments
