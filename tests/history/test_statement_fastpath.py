"""The statement page's fast path (schema/history/statement_fastpath.py) answers exactly what the
normal executor answers: the same response bytes for many documents, variables and callers
(aliases, fragments, variables, ``__typename``, errors, auth failures, page cursors, filters,
persisted queries), and it does answer the documents it plans."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app import clock
from models import Transaction
from schema.history import statement_fastpath
from tests.factories import fund, make_merchant, make_user, token_for, transfer, wallet_payment

ALL_NODE = """
  __typename id transactionNo type status direction amount fee channel
  counterparty { __typename name account } description createdAt completedAt expectedArrivalAt checkoutUrl
"""

BENCH = (
    "query { transactions(first: 20) { totalCount edges { cursor node {"
    " transactionNo type status direction amount createdAt counterparty { name account } } } } }"
)

PAGED = f"""
query Page($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter) {{
  __typename
  transactions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {{
    __typename totalCount
    pageInfo {{ __typename hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ __typename cursor node {{ {ALL_NODE} }} }}
  }}
}}
"""

ALIASES = """
query Two($after: String) {
  newest: transactions(first: 2) { total: totalCount edges { c: cursor n: node { no: transactionNo amount } } }
  kind: __typename
  older: transactions(first: 3, after: $after) { edges { node { transactionNo direction } } info: pageInfo { endCursor } }
}
"""

FRAGMENTS = """
fragment Row on Transaction { transactionNo ...Money counterparty { name } }
fragment Money on Transaction { amount fee }
fragment Page on TransactionConnection { totalCount edges { node { ...Row } } }
query Frag {
  transactions(first: 4) {
    ...Page
    edges { cursor node { ... on Node { id } ... { type counterparty { account } } ...Row status } }
    ... on TransactionConnection { pageInfo { hasNextPage } }
  }
}
"""

LITERAL_FILTER = """
query { transactions(first: 10, filter: {types: [TRANSFER], minAmount: "10.00", maxAmount: "60.00"}) {
  totalCount edges { node { transactionNo amount direction } } } }
"""

NOT_PLANNED = f"""
query {{ transactions(first: 3) {{ edges {{ node {{ {ALL_NODE} refundableAmount }} }} }} }}
"""

WITH_DIRECTIVE = """
query D($more: Boolean!) { transactions(first: 3) { totalCount edges @include(if: $more) { node { transactionNo } } } }
"""

TWO_OPERATIONS = """
query A { transactions(first: 1) { edges { node { transactionNo } } } }
query B { transactions(last: 2) { totalCount edges { node { transactionNo amount } } } }
"""

WITH_VIEWER = "query { viewer { id } transactions(first: 2) { totalCount } }"


@pytest.fixture
async def scene() -> dict[str, Any]:
    """Alice: a top-up, payments (one pending, one with a description and checkout link), transfers
    both ways, rows outside the window; Bob and Carol for the other side."""
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    clock.set_now(now)
    alice = await make_user(real_name="张三")
    bob = await make_user(real_name="王五")
    carol = await make_user(real_name="李四")
    shop, _ = await make_merchant("好再来餐厅")
    await fund(alice, 500_000)
    await fund(bob, 200_000)
    await fund(carol, 10_000)
    rows = []
    for n in range(9):
        at = now - timedelta(days=n * 3, hours=n)
        rows.append(await wallet_payment(alice, shop, 1_000 + n * 150, created_at=at))
        rows.append(await transfer(alice, bob, 2_000 + n * 10, created_at=at + timedelta(minutes=5)))
        rows.append(await transfer(bob, alice, 3_500 + n, created_at=at + timedelta(minutes=9)))
    pending = await wallet_payment(alice, shop, 777, status="PENDING")
    await Transaction.filter(id=pending.id).update(
        description="午饭", checkout_url="https://pay.example/c/1", expected_arrival_at=now + timedelta(days=1)
    )
    await transfer(carol, alice, 4_200, created_at=now - timedelta(days=200))  # outside the window
    return {"alice": alice, "bob": bob, "carol": carol, "rows": rows, "now": now}


async def _post(http: httpx.AsyncClient, body: dict[str, Any], token: str | None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json=body, headers=headers)
    return response.status_code, response.content


async def both(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, body: dict[str, Any], token: str | None
) -> tuple[bytes, bool]:
    """The response with the fast path and without it (asserted identical), and whether the
    fast path answered."""
    answered: list[bool] = []
    real = statement_fastpath.fast_answer

    async def recording(execution_context: Any) -> Any:
        data = await real(execution_context)
        answered.append(data is not None)
        return data

    monkeypatch.setattr(statement_fastpath, "fast_answer", recording)
    fast = await _post(http, body, token)
    monkeypatch.setattr(statement_fastpath, "fast_answer", _never)
    normal = await _post(http, body, token)
    monkeypatch.setattr(statement_fastpath, "fast_answer", real)
    assert fast == normal, (body, fast, normal)
    return fast[1], any(answered)


async def _never(execution_context: Any) -> None:
    return None


async def test_the_bench_page_and_every_field_answer_as_the_executor_does(http, monkeypatch, scene):
    token = token_for(scene["alice"])
    for body in (
        {"query": BENCH},
        {"query": PAGED, "variables": {"first": 20}},
        {"query": PAGED},
        {"query": ALIASES, "variables": {}},
        {"query": FRAGMENTS},
        {"query": LITERAL_FILTER},
        {"query": TWO_OPERATIONS, "operationName": "B"},
        {"query": TWO_OPERATIONS, "operationName": "A"},
        {"query": TWO_OPERATIONS},  # strawberry runs the first named operation
        {"query": LITERAL_FILTER},  # its arguments now coerced once for the document
        {"query": BENCH},
    ):
        content, answered = await both(http, monkeypatch, body, token)
        assert answered, body
        assert b'"errors"' not in content, content
    # Bob sees Alice's transfers from the other side (direction IN, no checkout link).
    content, answered = await both(http, monkeypatch, {"query": PAGED, "variables": {"first": 30}}, token_for(scene["bob"]))
    assert answered and b'"IN"' in content and b'"OUT"' in content


async def test_cursors_forward_and_backward_and_every_size(http, monkeypatch, scene):
    token = token_for(scene["alice"])
    cursor = None
    seen = 0
    while True:  # forward, three at a time, to the end
        content, answered = await both(http, monkeypatch, {"query": PAGED, "variables": {"first": 3, "after": cursor}}, token)
        assert answered
        page = httpx.Response(200, content=content).json()["data"]["transactions"]
        seen += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert seen == 29  # the top-up, 27 rows in the window and the pending payment
    before = None
    for _ in range(3):  # backward from the oldest
        content, answered = await both(http, monkeypatch, {"query": PAGED, "variables": {"last": 4, "before": before}}, token)
        assert answered
        before = httpx.Response(200, content=content).json()["data"]["transactions"]["pageInfo"]["startCursor"]
    middle = httpx.Response(200, content=(await both(http, monkeypatch, {"query": PAGED, "variables": {"first": 10}}, token))[0]).json()
    mid_cursor = middle["data"]["transactions"]["edges"][5]["cursor"]
    for variables in (
        {"first": 0}, {"last": 0}, {"first": 100}, {"last": 100}, {"first": 5, "last": 2}, {"first": 5, "last": 0},
        {"after": mid_cursor}, {"before": mid_cursor}, {"after": mid_cursor, "before": mid_cursor},
        {"first": 2, "after": mid_cursor, "last": 1}, {"last": 3, "before": mid_cursor, "after": cursor},
    ):
        _, answered = await both(http, monkeypatch, {"query": PAGED, "variables": variables}, token)
        assert answered, variables


async def test_filters(http, monkeypatch, scene):
    token = token_for(scene["alice"])
    number = scene["rows"][4].transaction_no
    served = [
        {"types": ["PAYMENT"]},
        {"types": ["TRANSFER", "PAYMENT", "TRANSFER"]},
        {"statuses": ["PENDING"]},
        {"statuses": ["SUCCEEDED"], "types": ["TRANSFER"], "minAmount": "20.05", "maxAmount": "35.03"},
        {"minAmount": "0", "maxAmount": "0.00"},
        {"from": "2026-11-20", "to": "2026-11-28T12:00:00+08:00"},
        {"from": "2020-01-01T00:00:00Z"},
        {"to": "2026-11-29T23:59:59"},
        {"transactionNo": number},
        {"transactionNo": f"  {number} "},
        {"transactionNo": "   "},
        {"counterparty": "  "},
        {},
    ]
    for f in served:
        _, answered = await both(http, monkeypatch, {"query": PAGED, "variables": {"filter": f, "first": 50}}, token)
        assert answered, f
    # The counterparty text match is the ORM's: the normal executor answers it, the same way.
    for f in ({"counterparty": "好再来"}, {"counterparty": "王"}):
        content, answered = await both(http, monkeypatch, {"query": PAGED, "variables": {"filter": f}}, token)
        assert not answered and b'"totalCount":' in content


async def test_errors_and_refusals_are_the_executors(http, monkeypatch, scene):
    token = token_for(scene["alice"])
    refused = [
        ({"query": BENCH}, None),  # anonymous
        ({"query": BENCH}, "not-a-token"),
        ({"query": PAGED, "variables": {"first": 101}}, token),
        ({"query": PAGED, "variables": {"last": -1}}, token),
        ({"query": PAGED, "variables": {"after": "bm9wZQ"}}, token),
        ({"query": PAGED, "variables": {"before": "!!"}}, token),
        ({"query": PAGED, "variables": {"first": "ten"}}, token),
        ({"query": PAGED, "variables": {"filter": {"minAmount": "-1.00"}}}, token),
        ({"query": PAGED, "variables": {"filter": {"minAmount": "1.001"}}}, token),
        ({"query": PAGED, "variables": {"filter": {"minAmount": "9.00", "maxAmount": "1.00"}}}, token),
        ({"query": PAGED, "variables": {"filter": {"from": "2026-11-20", "to": "2026-11-01"}}}, token),
        ({"query": PAGED, "variables": {"filter": {"types": ["NOPE"]}}}, token),
        ({"query": PAGED, "variables": {"filter": {"transactionNo": "T" * 40}}}, token),
        ({"query": PAGED, "variables": {"filter": {"transactionNo": "T" * 70}}}, token),  # string bounds
        ({"query": "query { " + " ".join(f"a{n}: transactions(first: 100) {{ edges {{ node {{ id }} }} }}" for n in range(13)) + " }"}, token),  # cost
        ({"query": "query { transactions(first: 2) { totalCount nope } }"}, token),  # validation
    ]
    for body, who in refused:
        content, answered = await both(http, monkeypatch, body, who)
        assert not answered and b'"errors"' in content, (body, content)
    content, answered = await both(http, monkeypatch, {"query": TWO_OPERATIONS, "operationName": "C"}, token)
    assert not answered and content == b'Unknown operation named "C".'


async def test_documents_it_does_not_plan_go_to_the_executor(http, monkeypatch, scene):
    token = token_for(scene["alice"])
    for body in (
        {"query": NOT_PLANNED},
        {"query": WITH_DIRECTIVE, "variables": {"more": True}},
        {"query": WITH_DIRECTIVE, "variables": {"more": False}},
        {"query": WITH_VIEWER},
        {"query": "mutation { logout }"},
    ):
        _, answered = await both(http, monkeypatch, body, token)
        assert not answered, body


async def test_persisted_queries_and_a_revoked_session(http, monkeypatch, scene):
    token = token_for(scene["alice"])
    sha = hashlib.sha256(BENCH.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    await _post(http, {"query": BENCH, "extensions": extensions}, token)
    content, answered = await both(http, monkeypatch, {"extensions": extensions}, token)
    assert answered and b'"totalCount":29' in content
    # The user closed: the token signs nobody in, on both paths.
    await scene["alice"].__class__.filter(id=scene["alice"].id).update(status="CLOSED")
    content, answered = await both(http, monkeypatch, {"extensions": extensions}, token)
    assert not answered and b"UNAUTHENTICATED" in content


def test_plans_are_made_once_per_document():
    from graphql import parse

    from schema.root import schema

    document = parse(BENCH)
    first = statement_fastpath.PLANS.get(schema, document, None)
    assert first is not None and statement_fastpath.PLANS.get(schema, document, None) is first
    assert statement_fastpath.PLANS.get(schema, parse(WITH_VIEWER), None) is None
