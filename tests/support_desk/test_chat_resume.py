"""ticketMessages(after:): a message sent between reading the ticket and subscribing is not lost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_staff, make_user, token_for
from tests.harness.server import run_server
from tests.harness.websocket import Subscription, connect, subscribe

from .documents import SUBMIT
from .test_live_chat import _call, _reply

TICKET = """
query($id: ID!) { node(id: $id) { ... on Ticket { eventCursor messages { id body } } } }
"""

RESUME = """
subscription($id: ID!, $after: String) {
  ticketMessages(ticketId: $id, after: $after) { id fromStaff body eventId }
}
"""


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _query(server: Any, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


async def _ticket_read_then_reply_in_between(server: Any) -> tuple[Any, Any, dict[str, Any], str]:
    """Owner submits and reads the ticket (with its cursor); staff replies before the owner subscribes."""
    owner, support = await make_user(), await make_staff("SUPPORT")
    ticket = (await _call(
        server, SUBMIT, {"input": {"kind": "COMPLAINT", "subject": "退款", "body": "还没到账"}}, token_for(owner)
    ))["ticket"]
    read = (await _query(server, TICKET, {"id": ticket["id"]}, token_for(owner)))["node"]
    assert [m["body"] for m in read["messages"]] == ["还没到账"]
    await _reply(server, token_for(support), ticket["id"], "在查询和订阅之间发送")
    return owner, support, ticket, read["eventCursor"]


async def test_message_sent_between_query_and_subscribe_is_replayed_with_after(server):
    owner, support, ticket, cursor = await _ticket_read_then_reply_in_between(server)
    async with connect(server.ws_url, token=token_for(owner)) as ws:
        subscription = await subscribe(ws, RESUME, {"id": ticket["id"], "after": cursor})
        missed = (await subscription.next_data())["ticketMessages"]
        assert (missed["body"], missed["fromStaff"]) == ("在查询和订阅之间发送", True)
        assert int(missed["eventId"]) > int(cursor)

        # Live from here on, each message once (the replayed one is not delivered again).
        await _reply(server, token_for(support), ticket["id"], "第二条")
        await _reply(server, token_for(owner), ticket["id"], "第三条")
        live = [(await subscription.next_data())["ticketMessages"] for _ in range(2)]
        assert [m["body"] for m in live] == ["第二条", "第三条"]
        assert int(live[0]["eventId"]) > int(missed["eventId"])

    # Resubscribing from the last pushed eventId replays only what came after it.
    await _reply(server, token_for(support), ticket["id"], "断线期间")
    async with connect(server.ws_url, token=token_for(owner)) as ws:
        subscription = await subscribe(ws, RESUME, {"id": ticket["id"], "after": live[-1]["eventId"]})
        assert (await subscription.next_data())["ticketMessages"]["body"] == "断线期间"


async def test_without_after_the_message_in_between_is_lost(server):
    owner, support, ticket, _ = await _ticket_read_then_reply_in_between(server)
    async with connect(server.ws_url, token=token_for(owner)) as ws:
        subscription: Subscription = await subscribe(ws, RESUME, {"id": ticket["id"]})
        first = None
        for attempt in range(10):
            await _reply(server, token_for(support), ticket["id"], f"探测 {attempt}")
            try:
                first = (await subscription.next_data(timeout=1.5))["ticketMessages"]
                break
            except TimeoutError:
                continue
        assert first is not None and first["body"].startswith("探测"), first


async def test_a_malformed_cursor_is_refused_with_its_field(server):
    owner, _, ticket, _ = await _ticket_read_then_reply_in_between(server)
    for bad in ("abc", "-1", "99999999999999999999", "1.5"):
        async with connect(server.ws_url, token=token_for(owner)) as ws:
            refused = await (await subscribe(ws, RESUME, {"id": ticket["id"], "after": bad})).next()
            assert refused["type"] == "next", refused
            errors = refused["payload"]["errors"]
            assert [e["extensions"]["code"] for e in errors] == ["VALIDATION_FAILED"], errors
