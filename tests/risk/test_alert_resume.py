"""riskAlertRaised(after:): an alert raised between reading the alerts and subscribing is not lost."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import fund, make_staff, make_user, token_for
from tests.harness.server import run_server
from tests.harness.websocket import connect, subscribe
from tests.risk.helpers import break_ledger

from .test_alert_subscription import _reconcile_over_http

pytestmark = pytest.mark.usefixtures("platform")

READ = "query { riskAlertCursor riskAlerts(first: 5) { totalCount } }"
RESUME = "subscription($after: String) { riskAlertRaised(after: $after) { id type eventId } }"


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _read(server, token: str) -> dict:  # noqa: ANN001
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post("/graphql", json={"query": READ}, headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


async def test_alert_raised_between_read_and_subscribe_is_replayed_with_after(server):
    user = await make_user()
    await fund(user, 2_000)
    await break_ledger(user)
    admin, officer = token_for(await make_staff("ADMIN")), token_for(await make_staff("RISK_OFFICER"))
    cursor = (await _read(server, officer))["riskAlertCursor"]
    missed = (await _reconcile_over_http(server, admin))["alert"]
    async with connect(server.ws_url, token=officer) as ws:
        subscription = await subscribe(ws, RESUME, {"after": cursor})
        replayed = (await subscription.next_data())["riskAlertRaised"]
        assert (replayed["id"], replayed["type"]) == (missed["id"], "RECONCILIATION_BREAK")
        assert int(replayed["eventId"]) > int(cursor)
        live = (await _reconcile_over_http(server, admin))["alert"]
        assert (await subscription.next_data())["riskAlertRaised"]["id"] == live["id"]


async def test_the_cursor_is_for_risk_staff_only(server):
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": "query { riskAlertCursor }"},
            headers={"Authorization": f"Bearer {token_for(await make_user())}"},
        )
    body = response.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
