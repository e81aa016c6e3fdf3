"""balanceChanged over real websockets: after a top-up, to the owner only, across processes via Redis."""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import Any

import httpx
import pytest

from app.ledger.accounts import wallet_of
from schema.node import to_global_id
from tests.factories import make_user, token_for
from tests.harness.server import Server, run_server
from tests.harness.websocket import Subscription, connect, subscribe
from tests.money.support import TOP_UP, bind_card

REDIS_URL = os.environ.get("FENPAY_TEST_REDIS_URL")

BALANCE_CHANGED = """
subscription {
  balanceChanged {
    delta available frozen occurredAt
    account { id available }
    transaction { transactionNo type status direction amount }
  }
}"""


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _top_up_over_http(server: Server, token: str, card: str, amount: str = "10") -> str:
    variables = {
        "input": {"amount": amount, "channel": "BANK_CARD", "bankCardId": card, "idempotencyKey": secrets.token_hex(8)}
    }
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": TOP_UP, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
        )
    payload = response.json()["data"]["topUp"]
    assert payload["errors"] == [], payload
    return payload["transaction"]["transactionNo"]


async def _first_event(subscription: Subscription, make_change: Any) -> tuple[dict[str, Any], list[str]]:
    """Make changes until the subscription, which registers asynchronously on the server, sees one."""
    made: list[str] = []
    for _ in range(20):
        made.append(await make_change())
        try:
            return await subscription.next_data(timeout=0.5), made
        except TimeoutError:
            continue
    raise AssertionError("no balanceChanged event arrived")


async def test_owner_receives_balance_changed_after_a_top_up(server, gql):
    owner, other = await make_user(), await make_user()
    owner_card, other_card = await bind_card(gql, owner), await bind_card(gql, other)

    async def both_top_up() -> str:
        # Someone else's top-up first: it must never reach the owner's subscription.
        await _top_up_over_http(server, token_for(other), other_card, "20")
        return await _top_up_over_http(server, token_for(owner), owner_card)

    async with connect(server.ws_url, token=token_for(owner)) as ws:
        subscription = await subscribe(ws, BALANCE_CHANGED)
        data, mine = await _first_event(subscription, both_top_up)
    change = data["balanceChanged"]
    position = mine.index(change["transaction"]["transactionNo"])
    assert change["transaction"]["type"] == "TOP_UP" and change["transaction"]["direction"] == "IN"
    assert change["delta"] == "10.00"
    assert change["available"] == f"{10 * (position + 1)}.00"  # the balance right after that top-up
    assert change["frozen"] == "0.00"
    assert change["account"]["id"] == to_global_id("Account", (await wallet_of(owner.id)).id)


async def test_websocket_without_a_token_receives_nothing(server, gql):
    user = await make_user()
    card = await bind_card(gql, user)
    async with connect(server.ws_url) as ws:
        subscription = await subscribe(ws, BALANCE_CHANGED)
        refusal = await subscription.next(timeout=10)
        assert refusal["type"] == "error", refusal
        assert refusal["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await _top_up_over_http(server, token_for(user), card)
        with pytest.raises(asyncio.TimeoutError):
            await subscription.next(timeout=1.0)


async def _wait_for_redis_subscriber(topic: str) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for _ in range(200):
            counts = dict(await client.pubsub_numsub(topic))
            if counts.get(topic.encode(), 0) >= 1:
                return
            await asyncio.sleep(0.05)  # polling another process's registration, not a job
        raise AssertionError(f"nobody subscribed to {topic}")
    finally:
        await client.aclose()


@pytest.mark.skipif(not REDIS_URL, reason="needs FENPAY_TEST_REDIS_URL")
async def test_event_from_one_process_reaches_a_subscriber_on_another(test_env, platform, gql):
    user = await make_user()
    card = await bind_card(gql, user)
    wallet = await wallet_of(user.id)
    with run_server(test_env) as listening, run_server(test_env) as changing:
        async with connect(listening.ws_url, token=token_for(user)) as ws:
            subscription = await subscribe(ws, BALANCE_CHANGED)
            await _wait_for_redis_subscriber(f"{test_env['FENPAY_REDIS_PREFIX']}balance:{wallet.id}")
            number = await _top_up_over_http(changing, token_for(user), card, "25")
            data = await subscription.next_data(timeout=10)
    change = data["balanceChanged"]
    assert change["transaction"]["transactionNo"] == number
    assert (change["delta"], change["available"]) == ("25.00", "25.00")
