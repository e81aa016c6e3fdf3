"""riskAlertRaised over websockets against a real server: RISK_OFFICER and ADMIN sessions
receive each new alert; USER and SUPPORT sessions are refused and receive nothing.

The alert is raised inside the server process (an ADMIN runs reconcileLedger on a broken
ledger over HTTP), so the event travels the same way on every backend: the outbox and the
server's broker (in-process with SQLite, Redis with PostgreSQL)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.factories import fund, make_staff, make_user, token_for
from tests.harness.server import run_server
from tests.harness.websocket import connect, subscribe
from tests.risk.helpers import RECONCILE, break_ledger

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")

RAISED = "subscription { riskAlertRaised { id type level status scope message } }"


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _reconcile_over_http(server, token: str) -> dict:  # noqa: ANN001
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        response = await client.post(
            "/graphql", json={"query": RECONCILE}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["reconcileLedger"]


async def _quiet(ws, seconds: float = 0.5) -> list[dict]:  # noqa: ANN001
    """Messages that arrive within ``seconds`` (expected: none)."""
    received = []
    try:
        while True:
            received.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=seconds)))
    except TimeoutError:
        return [m for m in received if m.get("type") not in ("ping", "pong")]


async def test_risk_staff_receive_alerts_and_others_do_not(server):
    user = await make_user()
    await fund(user, 2_000)
    await break_ledger(user)
    admin_token = token_for(await make_staff("ADMIN"))
    tokens = {
        "RISK_OFFICER": token_for(await make_staff("RISK_OFFICER")),
        "ADMIN": admin_token,
        "SUPPORT": token_for(await make_staff("SUPPORT")),
        "USER": token_for(user),
    }
    async with (
        connect(server.ws_url, token=tokens["RISK_OFFICER"]) as officer_ws,
        connect(server.ws_url, token=tokens["ADMIN"]) as admin_ws,
        connect(server.ws_url, token=tokens["SUPPORT"]) as support_ws,
        connect(server.ws_url, token=tokens["USER"]) as user_ws,
        connect(server.ws_url) as anonymous_ws,
    ):
        officer = await subscribe(officer_ws, RAISED)
        admin = await subscribe(admin_ws, RAISED)
        refused = {
            "SUPPORT": await subscribe(support_ws, RAISED),
            "USER": await subscribe(user_ws, RAISED),
            "ANONYMOUS": await subscribe(anonymous_ws, RAISED),
        }
        for who, subscription in refused.items():
            message = await subscription.next()
            errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
            assert errors, (who, message)
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            assert codes == ({"UNAUTHENTICATED"} if who == "ANONYMOUS" else {"FORBIDDEN"}), (who, message)

        # The subscriptions start asynchronously in the server: raise alerts until the
        # officer's first one arrives (each run of reconcileLedger on a broken ledger raises one).
        received = None
        for _ in range(20):
            raised = (await _reconcile_over_http(server, admin_token))["alert"]
            try:
                received = await officer.next_data(timeout=1.0)
                break
            except TimeoutError:
                continue
        assert received is not None, "RISK_OFFICER never received riskAlertRaised"
        alert = received["riskAlertRaised"]
        assert alert["type"] == "RECONCILIATION_BREAK" and alert["level"] == "CRITICAL"
        assert alert["scope"] == "平台" and alert["status"] == "OPEN"

        # From now on both risk sessions are listening: one more alert reaches both, once.
        raised = (await _reconcile_over_http(server, admin_token))["alert"]
        latest = (await officer.next_data())["riskAlertRaised"]
        while latest["id"] != raised["id"]:  # earlier retries may still be queued
            latest = (await officer.next_data())["riskAlertRaised"]
        admin_seen = (await admin.next_data())["riskAlertRaised"]
        while admin_seen["id"] != raised["id"]:
            admin_seen = (await admin.next_data())["riskAlertRaised"]
        assert admin_seen == latest

        for ws in (support_ws, user_ws, anonymous_ws):
            assert await _quiet(ws) == []
