"""DataLoaders live for one operation: two requests never share one, nor two operations on one
websocket (whose context is shared by all of them), and every event of a subscription is read
afresh."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.factories import fund, make_user, token_for
from tests.harness.server import Server, run_server
from tests.harness.websocket import Subscription, connect, subscribe
from tests.money.support import TOP_UP, bind_card

BALANCE = "query { viewer { account { balance available } } }"
BALANCE_CHANGED = "subscription { balanceChanged { available account { balance } } }"


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _answer(subscription: Subscription) -> dict[str, Any]:
    data = await subscription.next_data()
    assert (await subscription.next())["type"] == "complete"
    return data


async def test_a_second_request_sees_the_change_made_after_the_first(gql):
    # The in-process client runs every request in the test's own task: only the per-operation
    # scope keeps the first request's loaders from answering the second.
    user = await make_user()
    first = await gql.ok(BALANCE, token=token_for(user))
    await fund(user, 7_00)
    second = await gql.ok(BALANCE, token=token_for(user))
    assert first["viewer"]["account"] == {"balance": "0.00", "available": "0.00"}
    assert second["viewer"]["account"] == {"balance": "7.00", "available": "7.00"}


async def test_a_second_operation_on_a_socket_sees_the_change_made_after_the_first(server):
    user = await make_user()
    async with connect(server.ws_url, token=token_for(user)) as ws:
        first = await _answer(await subscribe(ws, BALANCE, op_id="first"))
        await fund(user, 5_00)
        second = await _answer(await subscribe(ws, BALANCE, op_id="second"))
    assert first["viewer"]["account"] == {"balance": "0.00", "available": "0.00"}
    assert second["viewer"]["account"] == {"balance": "5.00", "available": "5.00"}


async def _top_up(server: Server, token: str, card: str, amount: str) -> None:
    variables = {
        "input": {"amount": amount, "channel": "BANK_CARD", "bankCardId": card, "idempotencyKey": secrets.token_hex(8)}
    }
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": TOP_UP, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.json()["data"]["topUp"]["errors"] == []


async def test_each_event_of_a_subscription_reads_the_account_afresh(server, gql):
    user = await make_user()
    card, token = await bind_card(gql, user), token_for(user)
    async with connect(server.ws_url, token=token) as ws:
        subscription = await subscribe(ws, BALANCE_CHANGED)
        first = None
        for _ in range(20):  # the subscription registers asynchronously on the server
            await _top_up(server, token, card, "10")
            try:
                first = (await subscription.next_data(timeout=0.5))["balanceChanged"]
                break
            except TimeoutError:
                continue
        assert first is not None, "no balanceChanged event arrived"
        await _top_up(server, token, card, "20")
        second = (await subscription.next_data())["balanceChanged"]
    assert first["account"]["balance"] == first["available"]
    assert second["account"]["balance"] == second["available"] != first["available"]
