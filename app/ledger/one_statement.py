"""A movement's rows as ONE PostgreSQL statement (data-modifying common table expressions).

The money kernel (``kernel.py``) calls ``write`` after it took its locks and checked the limits;
the statement it sends is, in this order::

    WITH figures AS (SELECT ... FROM transactions ...),   -- the risk figures, when the caller has limits
         wallet  AS (UPDATE accounts SET available = available + ?, frozen = frozen + ?
                     WHERE id = ? AND available + ? >= 0 AND frozen + ? >= 0 [AND under the ceiling]
                     RETURNING available, frozen),            -- the journal's last wallet by id, if any
         tx      AS (INSERT INTO transactions (...) SELECT ... FROM wallet RETURNING id),
         journal AS (INSERT INTO journals (...) SELECT ..., tx.id, ... FROM tx RETURNING id),
         posted  AS (INSERT INTO postings (...) SELECT ... FROM journal, unnest(legs)),
         r0      AS (INSERT INTO idempotency_records (...) SELECT ..., tx.id, ... FROM tx
                     WHERE true ON CONFLICT (user_id, key) DO NOTHING RETURNING id),
         r1      AS (INSERT INTO outbox_events (...) SELECT ?, ?::jsonb || jsonb_build_object(
                     'transactionId', tx.id, 'available', wallet.available, ...), ... FROM tx, wallet RETURNING id),
         r2      AS (INSERT INTO sandbox_messages | outbound_messages ... RETURNING id)
    SELECT (SELECT id FROM tx) AS tx, (SELECT available FROM wallet) AS available, ..., (SELECT id FROM r0) AS r0, ...

Every insert reads ``wallet`` (directly or through ``tx``): when the wallet's conditional UPDATE
matches no row (insufficient funds, above the maximum balance) the statement writes nothing and
``write`` raises the refusal. PostgreSQL runs all parts with one snapshot; none of them reads a
table another part writes, and values flow only through RETURNING, so the result is the same as
the separate statements the SQLite path sends (``kernel._write_each``). The wallet UPDATE waits
for a row lock another transaction holds and then re-checks its conditions on the newest row,
as the single-statement journal always did.

Rows are unsaved Tortoise objects; their columns are written with the ORM's own conversions
(``to_db_value``), except the ``computed`` columns, given as SQL over ``tx`` and ``wallet``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.models import Model

from models import Transaction

from ..db import Conn
from . import journal, sql
from .accounts import Balance

Computed = tuple[str, tuple[Any, ...]]
"""An SQL expression over the ``tx`` and ``wallet`` CTEs, with its own '?' values in order."""


@dataclass(frozen=True)
class Row:
    """One more row written with the movement (idempotency record, outbox event, message)."""

    instance: Model
    computed: Mapping[str, Computed] = field(default_factory=dict)
    """Database column -> expression replacing the instance's own value."""
    on_conflict: str = ""
    """e.g. ``"(user_id, key) DO NOTHING"``: the row's id comes back None when it conflicted."""
    uses_wallet: bool = False
    """The expressions read ``wallet`` (the journal's last wallet must be part of the statement)."""


@dataclass(frozen=True)
class Written:
    transaction_id: int
    balance: Balance | None
    """The balance of the statement's wallet after the movement (fen); None without one."""
    row_ids: list[int | None]
    """The id of each ``Row`` in order; None for a row skipped by its ON CONFLICT."""


def fen_text(expression: str) -> str:
    """SQL giving ``money.format_fen`` of an integer fen expression: 1050 -> '10.50', -5 -> '-0.05'."""
    return (
        f"(CASE WHEN {expression} < 0 THEN '-' ELSE '' END || (abs({expression}) / 100)::text"
        f" || '.' || lpad((abs({expression}) % 100)::text, 2, '0'))"
    )


def _insert(name: str, row: Row, sources: str, values: list[Any]) -> str:
    """``name AS (INSERT INTO table (...) SELECT ... FROM sources ... RETURNING id)``; appends
    the '?' values in the order they appear."""
    meta = type(row.instance)._meta
    columns: list[str] = []
    expressions: list[str] = []
    for field_name, column in meta.fields_db_projection.items():
        field_object = meta.fields_map[field_name]
        if field_object.generated:
            continue
        columns.append(f'"{column}"')
        if column in row.computed:
            text, own = row.computed[column]
            expressions.append(text)
            values.extend(own)
        else:
            expressions.append("?")
            values.append(field_object.to_db_value(getattr(row.instance, field_name), row.instance))
    source = f" FROM {sources}" if sources else ""
    conflict = f" WHERE true ON CONFLICT {row.on_conflict}" if row.on_conflict else ""
    return (
        f'{name} AS (INSERT INTO "{meta.db_table}" ({", ".join(columns)})'
        f" SELECT {', '.join(expressions)}{source}{conflict} RETURNING id)"
    )


async def write(
    conn: Conn,
    tx: Transaction,
    *,
    wallet: tuple[int, list[int]] | None,
    legs: Sequence[journal.Leg],
    kind: str,
    memo: str | None,
    now: datetime,
    max_total: int | None,
    rows: Sequence[Row] = (),
    figures: Computed | None = None,
    check_figures: Callable[[dict[str, Any]], None] | None = None,
) -> Written:
    """Write ``tx`` (saved: its ``id`` is set), the journal of ``legs`` (none when empty), the
    change of ``wallet`` (``(account id, [available delta, held delta])`` in fen; the caller
    moved the journal's other wallets before, in id order) and ``rows``, in one statement.

    ``figures`` is a one-row SELECT read with the statement's snapshot (the risk figures, under
    the wallet lock the caller holds); its row goes to ``check_figures`` first, which raises to
    refuse the movement (the caller's transaction then rolls back what the statement wrote).

    Raises ``DomainError`` INSUFFICIENT_FUNDS or AMOUNT_TOO_LARGE when the wallet's conditional
    UPDATE matched no row (nothing was written then)."""
    if wallet is None and any(row.uses_wallet for row in rows):
        raise ValueError("rows reading the wallet need the wallet in the statement")
    values: list[Any] = []
    parts: list[str] = []
    clause = ""
    if figures is not None:
        parts.append(f"figures AS ({figures[0]})")
        values.extend(figures[1])
    if wallet is not None:
        account_id, (d_available, d_held) = wallet
        clause, bound = journal._ceiling(max_total, d_available, d_held)
        parts.append(
            "wallet AS (UPDATE accounts SET available = available + ?, frozen = frozen + ?"
            " WHERE id = ? AND available + ? >= 0 AND frozen + ? >= 0" + clause + " RETURNING available, frozen)"
        )
        values.extend((d_available, d_held, account_id, d_available, d_held, *bound))
    parts.append(_insert("tx", Row(tx), "wallet" if wallet is not None else "", values))
    if legs:
        parts.append(
            "journal AS (INSERT INTO journals (kind, transaction_id, memo, created_at)"
            " SELECT ?::text, tx.id, ?::text, ?::timestamptz FROM tx RETURNING id)"
        )
        parts.append("posted AS (" + journal._POSTINGS + " RETURNING 1)")
        values.extend((kind, memo, now, now))
        values.extend(
            ([leg.account.id for leg in legs], [leg.bucket for leg in legs], [leg.amount for leg in legs])
        )
    for index, row in enumerate(rows):
        parts.append(_insert(f"r{index}", row, "tx, wallet" if row.uses_wallet else "tx", values))
    selected = ["(SELECT id FROM tx) AS tx"]
    if wallet is not None:
        selected += ["(SELECT available FROM wallet) AS available", "(SELECT frozen FROM wallet) AS frozen"]
    selected += [f"(SELECT id FROM r{index}) AS r{index}" for index in range(len(rows))]
    if figures is not None:
        selected.append("figures.*")
    source = " FROM figures" if figures is not None else ""
    found = await sql.fetch(conn, "WITH " + ", ".join(parts) + " SELECT " + ", ".join(selected) + source, *values)
    result = found[0]
    if check_figures is not None:
        check_figures(result)
    if result["tx"] is None:
        assert wallet is not None  # only the wallet's condition can leave the transaction unwritten
        account_id, (d_available, d_held) = wallet
        raise await journal._refusal(conn, account_id, d_available, d_held, max_total if clause else None)
    tx.id = int(result["tx"])
    tx._saved_in_db = True
    balance = Balance(int(result["available"]), int(result["frozen"])) if wallet is not None else None
    row_ids = [None if result[f"r{i}"] is None else int(result[f"r{i}"]) for i in range(len(rows))]
    return Written(int(result["tx"]), balance, row_ids)
