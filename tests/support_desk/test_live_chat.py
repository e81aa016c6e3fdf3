"""Live ticket chat over a real server: messages reach the owner and staff, nobody else."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models import SandboxMessage
from tests.factories import make_staff, make_user, token_for
from tests.harness.server import run_server
from tests.harness.websocket import Subscription, connect, subscribe

from .documents import MESSAGES_SUBSCRIPTION, REPLY, SUBMIT


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _call(server: Any, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    """One mutation over HTTP against the running server; returns its payload."""
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    assert payload["errors"] == [], payload
    return payload


async def _reply(server: Any, token: str, ticket_id: str, body: str) -> dict[str, Any]:
    return await _call(server, REPLY, {"input": {"ticketId": ticket_id, "body": body}}, token)


async def _until_live(server: Any, subscriptions: list[Subscription], token: str, ticket_id: str) -> None:
    """Send probe replies until every subscription has received one, then drain to the last probe.

    The server registers a subscription with the broker a moment after the client sends
    it, and a message published before that is (by design) not replayed; once a probe has
    arrived the subscription is live, so every later message must arrive, in order.
    """
    last_seen: dict[int, str] = {}
    for attempt in range(10):
        ticket = (await _reply(server, token, ticket_id, f"探测消息 {attempt}"))["ticket"]
        last_probe = ticket["messages"][-1]["id"]
        for index, subscription in enumerate(subscriptions):
            if index not in last_seen:
                try:
                    last_seen[index] = (await subscription.next_data(timeout=1.5))["ticketMessages"]["id"]
                except TimeoutError:
                    continue
        if len(last_seen) == len(subscriptions):
            break
    else:
        raise AssertionError("a subscription never went live")
    for index, subscription in enumerate(subscriptions):
        while last_seen[index] != last_probe:
            last_seen[index] = (await subscription.next_data())["ticketMessages"]["id"]


async def test_staff_reply_arrives_live_for_the_owner_and_other_staff(server):
    owner = await make_user()
    support, admin = await make_staff("SUPPORT"), await make_staff("ADMIN")
    ticket = (await _call(
        server, SUBMIT, {"input": {"kind": "COMPLAINT", "subject": "转账未到账", "body": "昨天的转账还没到"}},
        token_for(owner),
    ))["ticket"]
    variables = {"id": ticket["id"]}
    async with connect(server.ws_url, token=token_for(owner)) as owner_ws, \
            connect(server.ws_url, token=token_for(admin)) as admin_ws:
        owner_sub = await subscribe(owner_ws, MESSAGES_SUBSCRIPTION, variables)
        admin_sub = await subscribe(admin_ws, MESSAGES_SUBSCRIPTION, variables)
        await _until_live(server, [owner_sub, admin_sub], token_for(support), ticket["id"])

        await _reply(server, token_for(support), ticket["id"], "您好，已为您加急处理")
        pushed = (await owner_sub.next_data())["ticketMessages"]
        assert pushed["fromStaff"] is True
        assert pushed["body"] == "您好，已为您加急处理"
        assert (await admin_sub.next_data())["ticketMessages"] == pushed

        await _reply(server, token_for(owner), ticket["id"], "谢谢")
        from_owner = (await admin_sub.next_data())["ticketMessages"]
        assert (from_owner["fromStaff"], from_owner["body"]) == (False, "谢谢")
        assert (await owner_sub.next_data())["ticketMessages"] == from_owner

    texts = [m.text for m in await SandboxMessage.filter(recipient=owner.phone, purpose="TICKET_REPLY")]
    assert texts and all(ticket["ticketNo"] in t for t in texts)


async def test_strangers_and_anonymous_subscribers_are_refused(server):
    owner, stranger = await make_user(), await make_user()
    ticket = (await _call(
        server, SUBMIT, {"input": {"kind": "FEEDBACK", "subject": "建议", "body": "内容"}}, token_for(owner)
    ))["ticket"]
    async with connect(server.ws_url, token=token_for(stranger)) as ws:
        subscription = await subscribe(ws, MESSAGES_SUBSCRIPTION, {"id": ticket["id"]})
        refused = await subscription.next()
        assert refused["type"] == "next"
        assert refused["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["NOT_FOUND"]
        assert (await subscription.next())["type"] == "complete"
    async with connect(server.ws_url) as ws:
        refused = await (await subscribe(ws, MESSAGES_SUBSCRIPTION, {"id": ticket["id"]})).next()
        assert refused["type"] == "error"
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["UNAUTHENTICATED"]
