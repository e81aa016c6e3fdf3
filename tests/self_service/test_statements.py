"""Monthly statements and the CSV export: figures equal the ledger, months beyond the
list's three-month window, only the viewer's own entries, signed short-lived links."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from tortoise import connections

from app import clock
from app.ledger import sql
from app.ledger.accounts import wallet_of
from app.ledger.reconcile import reconcile
from app.money import format_fen
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.payments.support import PAY, TRANSFER

STATEMENT = """
query($month: String!) { monthlyStatement(month: $month) {
  month start end openingBalance closingBalance income spending
  byType { key income spending count } byCounterparty { key income spending count }
  topMerchants { key income spending count } } }"""
EXPORT = """query($from: String!, $to: String!) { statementExport(from: $from, to: $to) { csvUrl expiresAt } }"""
LIST = "{ transactions(first: 50) { edges { node { id } } } }"

# Beijing times: 2026-01-10 12:00, 2026-01-31 23:30 (still January), 2026-02-01 00:10 (February).
JAN = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)
JAN_END = datetime(2026, 1, 31, 15, 30, tzinfo=UTC)
FEB = datetime(2026, 1, 31, 16, 10, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def _pay(merchant_no: str, amount: str, key: str) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}}


def _transfer(phone: str, amount: str, key: str) -> dict:
    return {"input": {"recipient": phone, "amount": amount, "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}}


async def _ledger_sum(wallet_id: int, start: datetime | None, end: datetime) -> int:
    """Independent of the code under test: the wallet's postings journaled in [start, end)."""
    text = "SELECT COALESCE(SUM(p.amount), 0) AS s FROM postings p JOIN journals j ON j.id = p.journal_id" \
           " WHERE p.account_id = ? AND j.created_at < ?"
    values: list = [wallet_id, end]
    if start is not None:
        text += " AND j.created_at >= ?"
        values.append(start)
    return int((await sql.fetch(connections.get("default"), text, *values))[0]["s"])


async def _history(gql):  # noqa: ANN001
    """Alice: top-ups, payments to two merchants, a transfer out and one in, over Jan-Feb."""
    coffee, _ = await make_merchant("街角咖啡")
    books, _ = await make_merchant("三味书屋")
    alice, bob = await make_user(), await make_user()
    alice_token, bob_token = token_for(alice), token_for(bob)
    clock.set_now(JAN)
    await fund(alice, 1000_00)
    await fund(bob, 500_00)
    assert (await gql.mutate(PAY, _pay(coffee.merchant_no, "12.50", "c1"), token=alice_token))["errors"] == []
    assert (await gql.mutate(PAY, _pay(coffee.merchant_no, "30.00", "c2"), token=alice_token))["errors"] == []
    assert (await gql.mutate(PAY, _pay(books.merchant_no, "88.80", "b1"), token=alice_token))["errors"] == []
    assert (await gql.mutate(TRANSFER, _transfer(bob.phone, "100.00", "t1"), token=alice_token))["errors"] == []
    clock.set_now(JAN_END)
    assert (await gql.mutate(TRANSFER, _transfer(alice.phone, "20.01", "t2"), token=bob_token))["errors"] == []
    clock.set_now(FEB)
    assert (await gql.mutate(PAY, _pay(books.merchant_no, "5.00", "b2"), token=alice_token))["errors"] == []
    await fund(alice, 50_00)
    return alice, bob, coffee, books


async def test_a_month_equals_the_ledger_and_reaches_beyond_the_list_window(gql):
    alice, bob, coffee, books = await _history(gql)
    clock.set_now(NOW)  # ten months later: January is outside the three-month list window
    token = token_for(alice)
    assert (await gql.ok(LIST, token=token))["transactions"]["edges"] == []

    jan = (await gql.ok(STATEMENT, {"month": "2026-01"}, token=token))["monthlyStatement"]
    assert jan["openingBalance"] == "0.00"
    assert jan["income"] == "1020.01" and jan["spending"] == "231.30"
    assert jan["closingBalance"] == "788.71"
    feb = (await gql.ok(STATEMENT, {"month": "2026-02"}, token=token))["monthlyStatement"]
    assert feb["openingBalance"] == jan["closingBalance"]
    assert feb["income"] == "50.00" and feb["spending"] == "5.00" and feb["closingBalance"] == "833.71"
    # Against the ledger, computed independently, and the wallet's balance.
    wallet = await wallet_of(alice.id)
    jan_start = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    feb_start = datetime(2026, 1, 31, 16, 0, tzinfo=UTC)
    mar_start = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert jan["start"].startswith("2025-12-31T16:00") and jan["end"].startswith("2026-01-31T16:00")
    assert format_fen(await _ledger_sum(wallet.id, jan_start, feb_start)) == "788.71"
    assert format_fen(await _ledger_sum(wallet.id, feb_start, mar_start)) == "45.00"
    assert format_fen(sum(await wallet_balance(alice))) == feb["closingBalance"]

    by_type = {b["key"]: b for b in jan["byType"]}
    assert by_type["TOP_UP"] == {"key": "TOP_UP", "income": "1000.00", "spending": "0.00", "count": 1}
    assert by_type["PAYMENT"]["spending"] == "131.30" and by_type["PAYMENT"]["count"] == 3
    assert by_type["TRANSFER"]["spending"] == "100.00" and by_type["TRANSFER"]["income"] == "20.01"
    top = jan["topMerchants"]
    assert [(m["key"], m["spending"]) for m in top] == [(books.name, "88.80"), (coffee.name, "42.50")]
    counterparties = {b["key"] for b in jan["byCounterparty"]}
    assert coffee.name in counterparties and books.name in counterparties

    # Bob's statement holds Bob's side only.
    bob_jan = (await gql.ok(STATEMENT, {"month": "2026-01"}, token=token_for(bob)))["monthlyStatement"]
    assert bob_jan["income"] == "600.00" and bob_jan["spending"] == "20.01" and bob_jan["topMerchants"] == []
    assert (await reconcile()).clean


async def test_months_are_checked(gql):
    clock.set_now(NOW)
    token = token_for(await make_user())
    for month in ("2026-12", "2026-1", "202611", "2020-13", "abc", "2020-10"):
        result = await gql(STATEMENT, {"month": month}, token=token)
        assert result.error_codes() == ["VALIDATION_FAILED"], (month, result)
    empty = (await gql.ok(STATEMENT, {"month": "2025-12"}, token=token))["monthlyStatement"]
    assert (empty["openingBalance"], empty["closingBalance"], empty["byType"]) == ("0.00", "0.00", [])
    assert (await gql(STATEMENT, {"month": "2026-11"})).error_codes() == ["UNAUTHENTICATED"]


async def test_csv_export_is_utf8_with_bom_and_totals(gql):
    alice, bob, coffee, books = await _history(gql)
    clock.set_now(NOW)
    link = (await gql.ok(EXPORT, {"from": "2026-01-01", "to": "2026-01-31"}, token=token_for(alice)))["statementExport"]
    url = urlparse(link["csvUrl"])
    response = await gql.http.get(f"{url.path}?{url.query}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "交易单号", "类型", "收支", "金额", "对方", "说明"]
    body, totals = rows[1:-4], {r[2]: r[4] for r in rows[-4:]}
    assert len(body) == 6
    assert sum(int(r[4].replace(".", "")) for r in body) == 788_71
    assert totals == {"TOTAL_INCOME": "1020.01", "TOTAL_SPENDING": "-231.30", "OPENING_BALANCE": "0.00",
                      "CLOSING_BALANCE": "788.71"}
    assert coffee.name in {r[5] for r in body} and body[-1][0] == "2026-01-31 23:30:00"
    assert bob.phone not in response.content.decode("utf-8-sig")

    # The link expires, and a changed token is refused.
    tampered = url.query[:-1] + ("0" if url.query[-1] != "0" else "1")
    assert (await gql.http.get(f"{url.path}?{tampered}")).status_code == 403
    clock.set_now(NOW + timedelta(minutes=11))
    assert (await gql.http.get(f"{url.path}?{url.query}")).status_code == 403


async def test_export_periods_are_checked(gql):
    clock.set_now(NOW)
    token = token_for(await make_user())
    for start, end in (("2026-02-01", "2026-01-01"), ("2026-01-01", "2026-12-01"), ("2025-01-01", "2026-02-01"),
                       ("2026-1-1", "2026-01-31")):
        result = await gql(EXPORT, {"from": start, "to": end}, token=token)
        assert result.error_codes() == ["VALIDATION_FAILED"], (start, end, result)
