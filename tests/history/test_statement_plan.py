"""Statement queries stay on indexes with a large transactions table (PostgreSQL only).

The table is filled with FENPAY_PLAN_ROWS rows (default 200 000; the benchmark note in
bench/history_statement.md was measured with 1 000 000) spread over 5 000 wallets and
half a year, plus one hot merchant that is the counterparty of a tenth of all rows.
For a typical wallet and for the hot merchant, each side's page query and count query
must use the transactions indexes (no sequential scan), and the hot merchant's page must
come straight off its ``(counterparty_account_id, id)`` index, newest first, without a sort.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from typing import Any

import pytest
from tortoise import connections

from app import clock
from app.history import statement, statement_rows

ROWS = int(os.environ.get("FENPAY_PLAN_ROWS", "200000"))
WALLETS = 5_000


def _on_postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def _seed(conn: Any) -> tuple[int, int]:
    """Bulk rows straight in SQL (no journals: only the query plan is under test here)."""
    await conn.execute_script(
        f"""
        INSERT INTO accounts (account_no, kind, name, currency, available, frozen, created_at)
        SELECT 'B' || lpad(g::text, 15, '0'), CASE WHEN g = 0 THEN 'MERCHANT' ELSE 'WALLET' END,
               'bulk', 'CNY', 0, 0, now()
        FROM generate_series(0, {WALLETS} + 1) g;
        """
    )
    rows = await conn.execute_query_dict(
        "SELECT min(id) AS first, max(id) AS last FROM accounts WHERE name = 'bulk'"
    )
    # Account 0 is a hot merchant (a tenth of all rows), account 1 a regular one (a hundredth).
    hot, first_wallet = int(rows[0]["first"]), int(rows[0]["first"]) + 2
    await conn.execute_script(
        f"""
        INSERT INTO transactions (transaction_no, type, status, channel, amount, fee, account_id,
            counterparty_account_id, counterparty_name, counterparty_ref, initiator_name, initiator_ref,
            refunded_amount, created_at)
        SELECT 'BULK' || g, CASE WHEN g % 3 = 0 THEN 'TRANSFER' ELSE 'PAYMENT' END, 'SUCCEEDED',
               'WALLET_BALANCE', 100 + g % 50000, 0,
               {first_wallet} + g % {WALLETS},
               CASE WHEN g % 10 = 0 THEN {hot} WHEN g % 100 = 1 THEN {hot} + 1
                    ELSE {first_wallet} + (g % {WALLETS} + 1 + (g * 7) % ({WALLETS} - 1)) % {WALLETS} END,
               '商户' || (g % 97), 'SHOP' || (g % 89), '张*', '138****' || lpad((g % 9973)::text, 4, '0'),
               0, now() - ((g % 180) || ' days')::interval - ((g % 86400) || ' seconds')::interval
        FROM generate_series(1, {ROWS}) g;
        """
    )
    # As autovacuum would leave it: statistics and a visibility map (index-only counts).
    await conn.execute_script("VACUUM ANALYZE accounts")
    await conn.execute_script("VACUUM ANALYZE transactions")
    return hot, first_wallet + 42


async def _plan(conn: Any, sql: str) -> dict[str, Any]:
    rows = await conn.execute_query_dict(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
    raw = next(iter(rows[0].values()))
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


async def _index_columns(conn: Any) -> dict[str, str]:
    rows = await conn.execute_query_dict(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'transactions'"
    )
    return {r["indexname"]: r["indexdef"].split("(", 1)[1].rstrip(")") for r in rows}


async def _check(
    conn: Any, account_id: int, wanted: statement.StatementFilter, *, before_id: int | None = None
) -> list[tuple[str, float, list, list[str]]]:
    """EXPLAIN ANALYZE each side's page and count; refuse sequential scans."""
    report = []
    for side in statement.sides(account_id, statement.validate(wanted), clock.now()):
        page = side.filter(id__lt=before_id) if before_id is not None else side
        for label, sql in (
            ("page", page.order_by("-id").limit(21).sql(params_inline=True)),
            ("count", side.count().sql(params_inline=True)),
        ):
            plan = await _plan(conn, sql)
            nodes = _nodes(plan["Plan"])
            kinds = [n["Node Type"] for n in nodes]
            assert "Seq Scan" not in kinds, (label, kinds)
            assert any(k in ("Index Scan", "Index Only Scan", "Bitmap Index Scan") for k in kinds), (label, kinds)
            used = [(n["Node Type"], n.get("Index Name"), n.get("Scan Direction")) for n in nodes if n.get("Index Name")]
            report.append((label, plan["Execution Time"], used, kinds))
    return report


def _literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))


async def _check_fast_path(
    conn: Any, account_id: int, wanted: statement.StatementFilter, *, before_id: int | None = None
) -> tuple[float, list[Any], list[str]]:
    """EXPLAIN ANALYZE the statement page's one SELECT (app/history/statement_rows.py): no
    sequential scan, and nothing sorted but the two sides' merged page (at most 2 x 21 rows)."""
    request = statement_rows.PageRequest(20, None, before_id)
    text, arguments = statement_rows.page_statement(account_id, statement.validate(wanted), clock.now(), request)
    parts = text.split("?")
    assert len(parts) == len(arguments) + 1
    inline = parts[0] + "".join(_literal(v) + part for v, part in zip(arguments, parts[1:], strict=True))
    plan = await _plan(conn, inline)
    nodes = _nodes(plan["Plan"])
    kinds = [n["Node Type"] for n in nodes]
    assert "Seq Scan" not in kinds, kinds
    assert all(n["Actual Rows"] <= 42 for n in nodes if n["Node Type"] == "Sort"), nodes
    used = [(n["Node Type"], n.get("Index Name"), n.get("Scan Direction")) for n in nodes if n.get("Index Name")]
    return plan["Execution Time"], used, kinds


def _straight_off_an_index(entry: tuple[str, float, list, list[str]], columns: dict[str, str]) -> None:
    """A page read newest-first in id order from an index: no sort of the account's rows."""
    label, _, used, kinds = entry
    assert label == "page" and "Sort" not in kinds, entry
    (kind, index, direction), *_ = used
    assert kind in ("Index Scan", "Index Only Scan") and direction == "Backward", entry
    assert columns[index].replace('"', "").replace(" ", "") in ("id", "counterparty_account_id,id"), columns[index]


@pytest.mark.skipif("not os.environ.get('FENPAY_TEST_DATABASE_URL')", reason="query plans are PostgreSQL's")
async def test_statement_queries_use_the_indexes_on_a_large_table(platform):  # noqa: ARG001 (session set-up first)
    conn = connections.get("default")
    assert _on_postgres()
    started = time.monotonic()
    hot, wallet = await _seed(conn)
    seeded = time.monotonic() - started
    columns = await _index_columns(conn)

    typical = await _check(conn, wallet, statement.StatementFilter())
    filtered = await _check(
        conn, wallet, statement.StatementFilter(types=("PAYMENT",), min_amount=1_000, counterparty="138")
    )
    merchant = await _check(conn, hot, statement.StatementFilter())
    regular = await _check(conn, hot + 1, statement.StatementFilter())
    middle = await conn.execute_query_dict(
        f"SELECT id FROM transactions WHERE counterparty_account_id = {hot + 1} ORDER BY id LIMIT 1 OFFSET {ROWS // 200}"
    )
    deep = await _check(conn, hot + 1, statement.StatementFilter(), before_id=int(middle[0]["id"]))
    # Merchants' received rows (sides[1] page = entry 2): newest page and a deep page, no sort.
    for report in (merchant, regular, deep):
        _straight_off_an_index(report[2], columns)
        # Counting a merchant's many rows needs the (side, created_at) index alone.
        assert [u[0] for u in report[3][2]] == ["Index Only Scan"], report[3]
    exact = await _check(conn, hot, statement.StatementFilter(transaction_no="BULK40"))
    for label, _, used, _ in exact:
        assert any("transaction_no" in columns[name] for _, name, _ in used), (label, used)

    fast = {
        "typical wallet": await _check_fast_path(conn, wallet, statement.StatementFilter()),
        "filtered": await _check_fast_path(conn, wallet, statement.StatementFilter(types=("PAYMENT",), min_amount=1_000)),
        "hot merchant": await _check_fast_path(conn, hot, statement.StatementFilter()),
        "shop deep": await _check_fast_path(conn, hot + 1, statement.StatementFilter(), before_id=int(middle[0]["id"])),
    }

    # An account with many received rows reads that page backwards off an index (no sort of its rows).
    for name in ("hot merchant", "shop deep"):
        assert ("Index Scan", "Backward") in [(kind, direction) for kind, _, direction in fast[name][1]], fast[name]

    print(f"\nseeded {ROWS} rows in {seeded:.1f}s")
    for name, (ms, used, _) in fast.items():
        print(f"fast path {name:15} {ms:8.2f} ms  {used}")
    for name, report in (("typical wallet", typical), ("filtered", filtered), ("hot merchant", merchant), ("shop", regular), ("shop deep", deep), ("exact", exact)):
        for label, ms, used, _ in report:
            print(f"{name:15} {label:5} {ms:8.2f} ms  {used}")
