"""Lists asking a nested object per row (each row's transaction, user, merchant, account) send
as many SQL statements for 20 rows as for 2: the DataLoaders of resolvers/loaders.py batch each
kind into one ``WHERE id IN (...)`` query (issue 20 item 5)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from app import audit, clock
from models import Refund
from models.merchant_platform import Order
from models.risk import RiskAlert
from models.support import Ticket
from schema.node import to_global_id
from tests.factories import fund, make_merchant, make_staff, make_user, token_for
from tests.harness.graphql import GraphQLClient
from tests.harness.statements import counted_statements

# The fields web/js/transactions.js asks for every row of the statement page.
TX_FIELDS = """id transactionNo type status direction amount fee channel
  counterparty { name account } description createdAt completedAt expectedArrivalAt
  refundableAmount checkoutUrl"""
TRANSACTIONS = f"query {{ transactions(first: 20) {{ edges {{ node {{ {TX_FIELDS} }} }} totalCount }} }}"
REFUNDS = """query { refunds(first: 20) { edges { node { refundNo
  transaction { transactionNo } refundTransaction { transactionNo } } } } }"""
MY_TICKETS = "query { myTickets(first: 20) { edges { node { ticketNo transaction { transactionNo direction } } } } }"
RISK_ALERTS = """query { riskAlerts(first: 20) { edges { node { message
  user { id account { balance status } merchant { merchantNo } } transaction { transactionNo } } } } }"""
ORDERS = """query($no: String!) { merchant(merchantNo: $no) { orders(first: 20) { edges { node { outTradeNo
  merchant { merchantNo currency } transaction { transactionNo } } } } } }"""
AUDIT_LOG = """query($user: ID!) { auditLog(userId: $user, first: 20) { edges { node { action
  actor { id } subjectUser { id } } } } }"""

Setup = Callable[[int], Awaitable[tuple[str, dict[str, Any], str]]]


async def _transactions(rows: int) -> tuple[str, dict[str, Any], str]:
    user = await make_user()
    for _ in range(rows):
        await fund(user, 1_00)
    return TRANSACTIONS, {}, token_for(user)


async def _refunds(rows: int) -> tuple[str, dict[str, Any], str]:
    user = await make_user()
    for _ in range(rows):
        paid, back = await fund(user, 1_00), await fund(user, 1)
        await Refund.create(
            refund_no=f"R{secrets.token_hex(8)}", transaction_id=paid.id, refund_transaction_id=back.id,
            user_id=user.id, amount=1, reason="WRONG_AMOUNT", status="COMPLETED",
            review_deadline=clock.now() + timedelta(days=1),
        )
    return REFUNDS, {}, token_for(user)


async def _tickets(rows: int) -> tuple[str, dict[str, Any], str]:
    user = await make_user()
    for _ in range(rows):
        tx = await fund(user, 1_00)
        await Ticket.create(ticket_no=f"K{secrets.token_hex(8)}", user_id=user.id, kind="COMPLAINT",
                            subject="钱没到", transaction_id=tx.id)
    return MY_TICKETS, {}, token_for(user)


async def _risk_alerts(rows: int) -> tuple[str, dict[str, Any], str]:
    for _ in range(rows):
        user = await make_user(verified=False, pin=None)
        tx = await fund(user, 1_00)
        await RiskAlert.create(type="VELOCITY", level="HIGH", scope=f"USER:{user.id}", message="快",
                               user_id=user.id, transaction_id=tx.id)
    return RISK_ALERTS, {}, token_for(await make_staff("RISK_OFFICER"))


async def _orders(rows: int) -> tuple[str, dict[str, Any], str]:
    merchant, owner = await make_merchant(f"批量{rows}")
    payer = await make_user(verified=False, pin=None)
    for number in range(rows):
        tx = await fund(payer, 1_00)
        await Order.create(merchant_id=merchant.id, out_trade_no=f"O{number}", amount=1_00, status="PAID",
                           token=secrets.token_hex(16), expires_at=clock.now() + timedelta(hours=1),
                           transaction_id=tx.id)
    return ORDERS, {"no": merchant.merchant_no}, token_for(owner)


async def _audit_log(rows: int) -> tuple[str, dict[str, Any], str]:
    subject = await make_user(verified=False, pin=None)
    for _ in range(rows):
        actor = await make_staff("SUPPORT")
        await audit.record("account.note", actor_id=actor.id, subject_user_id=subject.id)
    return AUDIT_LOG, {"user": to_global_id("User", subject.id)}, token_for(await make_staff("ADMIN"))


def _rows_of(data: Any) -> list[Any]:
    """The edges of the one connection in ``data``."""
    if isinstance(data, dict):
        if "edges" in data:
            return list(data["edges"])
        for value in data.values():
            found = _rows_of(value)
            if found:
                return found
    return []


async def _statements(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, setup: Setup, rows: int) -> int:
    query, variables, token = await setup(rows)
    await gql.ok(query, variables, token=token)  # parse and validation caches, the viewer's session
    with counted_statements(monkeypatch) as count:
        data = await gql.ok(query, variables, token=token)
    assert len(_rows_of(data)) >= rows, data  # (the audit log also lists the warm-up's own viewing)
    return count[0]


@pytest.mark.parametrize(
    "setup", [_transactions, _refunds, _tickets, _risk_alerts, _orders, _audit_log],
    ids=["transactions", "refunds", "tickets", "risk_alerts", "orders", "audit_log"],
)
async def test_statements_do_not_grow_with_the_rows(gql, monkeypatch, setup):
    few = await _statements(gql, monkeypatch, setup, 2)
    await RiskAlert.all().delete()  # staff see every alert: the first round's would be listed again
    many = await _statements(gql, monkeypatch, setup, 20)
    assert many == few, (few, many)
