"""Websocket attacks against a real server: forged tokens at connection_init, subscriptions
without a token or to someone else's data, foreign origins, and malformed protocol messages.
None of them receives anything of another user's, and the server keeps serving."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from tests.factories import DEFAULT_PIN, fund, make_user, token_for
from tests.harness.websocket import connect, subscribe
from tests.reliability.test_attacks_tokens import FORGERIES

TICKET_MESSAGES = "subscription($id: ID!) { ticketMessages(ticketId: $id) { id body } }"
SUBMIT = (
    "mutation($input: SubmitTicketInput!) { submitTicket(input: $input) {"
    " ticket { id } errors { code } } }"
)
REPLY = "mutation($input: ReplyTicketInput!) { replyTicket(input: $input) { ticket { id } errors { code } } }"


async def _call(server: Any, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=10) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables},
                                     headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    assert not payload["errors"], payload
    return payload


async def _closed_with(ws: Any, timeout: float = 5.0) -> int:
    """Read until the server closes the socket; returns the close code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=timeout))
            if message.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong"}))
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _still_serving(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=5) as client:
        assert (await client.get("/health")).status_code == 200
    async with connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=5))["type"] == "pong"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("name", [n for n in FORGERIES if n != "empty"])
async def test_forged_tokens_are_refused_at_connection_init(live_server, name):
    user = await make_user()
    await make_user()
    token = FORGERIES[name](user.id)
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert await _closed_with(ws) == 4403, name


@pytest.mark.parametrize("authorization", [42, ["Bearer x"], {"token": "x"}, True])
async def test_authorization_of_the_wrong_type_is_refused(live_server, authorization):
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": authorization}}))
        assert await _closed_with(ws) == 4403


async def test_someone_elses_ticket_stream_delivers_nothing(live_server):
    alice, bob = await make_user(), await make_user()
    ticket = (await _call(live_server, SUBMIT, {"input": {"kind": "COMPLAINT", "subject": "私密", "body": "只给客服看"}},
                          token_for(alice)))["ticket"]
    async with connect(live_server.ws_url, token=token_for(alice)) as alice_ws, \
            connect(live_server.ws_url, token=token_for(bob)) as bob_ws, \
            connect(live_server.ws_url) as anonymous_ws:
        own = await subscribe(alice_ws, TICKET_MESSAGES, {"id": ticket["id"]})
        stolen = await subscribe(bob_ws, TICKET_MESSAGES, {"id": ticket["id"]})
        anonymous = await subscribe(anonymous_ws, TICKET_MESSAGES, {"id": ticket["id"]})
        for attempt in range(10):  # until alice's own subscription is live
            await _call(live_server, REPLY, {"input": {"ticketId": ticket["id"], "body": f"机密 {attempt}"}},
                        token_for(alice))
            try:
                first = await own.next_data(timeout=1.5)
                break
            except TimeoutError:
                continue
        else:
            raise AssertionError("alice's subscription never went live")
        assert first["ticketMessages"]["body"].startswith("机密")
        for subscription in (stolen, anonymous):
            try:
                message = await subscription.next(timeout=2.0)
            except TimeoutError:
                continue  # nothing at all is fine too
            assert message["type"] in ("error", "complete") or message["payload"].get("errors"), message
            assert "机密" not in json.dumps(message, ensure_ascii=False)


BALANCE = "subscription { balanceChanged { eventId delta available transaction { transactionNo } } }"
TRANSFER = ("mutation($input: TransferInput!) { transfer(input: $input) {"
            " transaction { transactionNo } errors { code } } }")


async def test_balance_changes_reach_only_their_owner(live_server):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    await fund(carol, 100_000)
    async with connect(live_server.ws_url, token=token_for(alice)) as alice_ws, \
            connect(live_server.ws_url, token=token_for(bob)) as bob_ws, \
            connect(live_server.ws_url) as anonymous_ws:
        own = await subscribe(alice_ws, BALANCE)
        others = await subscribe(bob_ws, BALANCE)
        anonymous = await subscribe(anonymous_ws, BALANCE)
        refusal = await anonymous.next(timeout=5)
        assert refusal["type"] == "error" or refusal["payload"].get("errors"), refusal
        numbers = []
        for attempt in range(10):  # until alice's subscription is live
            paid = await _call(live_server, TRANSFER, {"input": {
                "recipient": alice.phone, "amount": "1.00", "paymentPassword": DEFAULT_PIN,
                "idempotencyKey": f"carol-to-alice-{attempt}"}}, token_for(carol))
            numbers.append(paid["transaction"]["transactionNo"])
            try:
                event = (await own.next_data(timeout=1.5))["balanceChanged"]
                break
            except TimeoutError:
                continue
        else:
            raise AssertionError("alice's subscription never went live")
        assert event["transaction"]["transactionNo"] in numbers and event["delta"] == "1.00"
        assert event["eventId"], "every balance change names its event"
        try:
            leaked = await others.next(timeout=2.0)
        except TimeoutError:
            leaked = None
        assert leaked is None or not any(n in json.dumps(leaked) for n in numbers), leaked


QR_STATUS = ("subscription($id: ID!) { paymentQrCodeStatus(qrCodeId: $id) {"
             " status description transaction { transactionNo amount } } }")
PAY_QR = ("mutation($input: PayQrCodeInput!) { payQrCode(input: $input) {"
          " transaction { transactionNo } errors { code } } }")


async def test_someone_elses_payment_code_stream_delivers_nothing(live_server, gql):
    """Bob watches Alice's merchant QR code: refused before anything is sent, and when Carol
    pays the code Bob hears nothing while Alice does."""
    from tests.reliability import world as worlds

    world = await worlds.build(gql)
    carol = await make_user()
    await fund(carol, 100_000)
    async with connect(live_server.ws_url, token=world.alice_token) as alice_ws, \
            connect(live_server.ws_url, token=world.bob_token) as bob_ws, \
            connect(live_server.ws_url) as anonymous_ws:
        own = await subscribe(alice_ws, QR_STATUS, {"id": world.qr_code_id})
        first = await own.next_data()
        assert first["paymentQrCodeStatus"]["status"] == "ACTIVE", first
        stolen = [await subscribe(bob_ws, QR_STATUS, {"id": world.qr_code_id}),
                  await subscribe(anonymous_ws, QR_STATUS, {"id": world.qr_code_id})]
        refusals = [await sub.next(timeout=5) for sub in stolen]
        paid = await _call(live_server, PAY_QR, {"input": {"payload": world.qr_payload, "paymentPassword": DEFAULT_PIN,
                                                           "idempotencyKey": "carol-pays-alice"}}, token_for(carol))
        number = paid["transaction"]["transactionNo"]
        update = await own.next_data()
        assert update["paymentQrCodeStatus"]["transaction"]["transactionNo"] == number
        for refusal in refusals:
            assert refusal["type"] == "error" or refusal["payload"].get("errors"), refusal
            assert "爱丽丝" not in json.dumps(refusal, ensure_ascii=False)
        for sub in stolen:
            try:
                message = await sub.next(timeout=2.0)
            except (TimeoutError, websockets.ConnectionClosed):
                continue
            assert number not in json.dumps(message), message


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1.evil.example"])
async def test_cross_origin_handshakes_are_refused(live_server, origin):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with connect(live_server.ws_url, origin=origin):
            pass
    assert refused.value.response.status_code == 403


MALFORMED = {
    "not JSON": "{nope",
    "a JSON array": "[1, 2]",
    "a JSON number": "5",
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "no type": json.dumps({"payload": {}}),
    "unknown type": json.dumps({"type": "launch_missiles"}),
    "subscribe before init": json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}),
}

AFTER_INIT = {
    "subscribe without an id": {"type": "subscribe", "payload": {"query": "{ __typename }"}},
    "subscribe with a numeric id": {"id": 7, "type": "subscribe", "payload": {"query": "{ __typename }"}},
    "subscribe with a string payload": {"id": "1", "type": "subscribe", "payload": "{ __typename }"},
    "subscribe with a query that is not a string": {"id": "1", "type": "subscribe", "payload": {"query": 5}},
    "subscribe with variables that are a list": {"id": "1", "type": "subscribe",
                                                  "payload": {"query": "{ __typename }", "variables": [1]}},
    "type not a string": {"type": 5},
    "complete for an unknown id": {"id": "nope", "type": "complete"},
    "a JSON array": [1, 2],
}


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_malformed_protocol_messages_close_the_socket_cleanly(live_server, name):
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"],
                                  max_size=None) as ws:
        await ws.send(MALFORMED[name])
        code = await _closed_with(ws)
    assert 4400 <= code < 4500 or code == 1003, (name, code)
    await _still_serving(live_server)


@pytest.mark.parametrize("name", list(AFTER_INIT))
async def test_malformed_messages_after_init_fail_cleanly(live_server, name):
    async with connect(live_server.ws_url) as ws:
        await ws.send(json.dumps(AFTER_INIT[name]))
        await ws.send(json.dumps({"type": "ping"}))
        try:
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
                if message.get("type") == "pong":
                    break  # ignored or answered, and the connection still works
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None, name  # a close frame, not a dropped socket
            assert 4400 <= closed.rcvd.code < 4500 or closed.rcvd.code == 1003, (name, closed.rcvd.code)
    await _still_serving(live_server)


async def test_the_legacy_graphql_ws_protocol_works_and_refuses_malformed_messages(live_server):
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-ws"]) as ws:
        assert ws.subprotocol == "graphql-ws"
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=5))["type"] == "connection_ack"
        await ws.send(json.dumps({"type": "start", "id": "1", "payload": "not an object"}))
        assert await _closed_with(ws) == 4400
    for malformed in ({"type": 5}, {"type": "stop"}, {"type": "connection_init", "payload": "x"}):
        async with websockets.connect(live_server.ws_url, subprotocols=["graphql-ws"]) as ws:
            await ws.send(json.dumps(malformed))
            assert await _closed_with(ws) == 4400, malformed
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-ws"]) as ws:
        await ws.send(json.dumps([1, 2]))  # not a message at all: ignored, the connection goes on
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=5))["type"] == "connection_ack"
    await _still_serving(live_server)


async def test_a_second_connection_init_is_refused(live_server):
    async with connect(live_server.ws_url) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await _closed_with(ws) == 4429


async def test_oversized_websocket_messages_are_refused(live_server):
    async with connect(live_server.ws_url, token=None) as ws:
        big = json.dumps({"id": "1", "type": "subscribe",
                          "payload": {"query": "{ __typename }", "pad": "x" * (20 * 1024 * 1024)}})
        try:
            await ws.send(big)
        except websockets.ConnectionClosed as closed:  # refused while the frame was still on its way
            assert closed.rcvd is not None
            code = closed.rcvd.code
        else:
            code = await _closed_with(ws, timeout=15)
    assert code == 1009
    await _still_serving(live_server)


async def test_binary_frames_are_refused(live_server):
    async with connect(live_server.ws_url) as ws:
        await ws.send(b"\x00\x01binary")
        code = await _closed_with(ws)
    assert 4400 <= code < 4500 or code == 1003
