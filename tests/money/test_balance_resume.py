"""balanceChanged(after:): a change committed between reading the wallet and subscribing is not lost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_user, token_for
from tests.harness.server import Server, run_server
from tests.harness.websocket import connect, subscribe
from tests.money.support import bind_card

from .test_balance_subscription import _top_up_over_http

WALLET = "query { viewer { account { available eventCursor } } }"

RESUME = """
subscription($after: String) {
  balanceChanged(after: $after) { delta available eventId transaction { transactionNo } }
}"""


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _read_wallet(server: Server, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post("/graphql", json={"query": WALLET}, headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["viewer"]["account"]


async def test_top_up_between_read_and_subscribe_is_replayed_with_after(server, gql):
    user, other = await make_user(), await make_user()
    card, other_card = await bind_card(gql, user), await bind_card(gql, other)
    wallet = await _read_wallet(server, token_for(user))
    assert wallet["available"] == "0.00"
    await _top_up_over_http(server, token_for(other), other_card, "20")  # someone else's: never replayed to us
    missed = await _top_up_over_http(server, token_for(user), card, "10")

    async with connect(server.ws_url, token=token_for(user)) as ws:
        subscription = await subscribe(ws, RESUME, {"after": wallet["eventCursor"]})
        replayed = (await subscription.next_data())["balanceChanged"]
        assert (replayed["transaction"]["transactionNo"], replayed["delta"], replayed["available"]) == (
            missed, "10.00", "10.00"
        )
        # Live from here on, and the replayed change is not delivered a second time.
        live_no = await _top_up_over_http(server, token_for(user), card, "15")
        live = (await subscription.next_data())["balanceChanged"]
        assert (live["transaction"]["transactionNo"], live["available"]) == (live_no, "25.00")
        assert int(live["eventId"]) > int(replayed["eventId"]) > int(wallet["eventCursor"])


async def test_without_after_the_change_in_between_is_lost(server, gql):
    user = await make_user()
    card = await bind_card(gql, user)
    await _read_wallet(server, token_for(user))
    missed = await _top_up_over_http(server, token_for(user), card, "10")
    async with connect(server.ws_url, token=token_for(user)) as ws:
        subscription = await subscribe(ws, RESUME, {})
        first, probes = None, []
        for _ in range(20):
            probes.append(await _top_up_over_http(server, token_for(user), card, "11"))
            try:
                first = (await subscription.next_data(timeout=0.5))["balanceChanged"]
                break
            except TimeoutError:
                continue
        assert first is not None
        assert first["transaction"]["transactionNo"] != missed
        assert first["transaction"]["transactionNo"] in probes and first["delta"] == "11.00"


async def test_a_malformed_cursor_is_refused(server):
    user = await make_user()
    async with connect(server.ws_url, token=token_for(user)) as ws:
        refused = await (await subscribe(ws, RESUME, {"after": "x1"})).next()
        assert refused["type"] == "next", refused
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["VALIDATION_FAILED"]
