"""Documents that do not parse, sent as a user's client might: over HTTP and on both websocket
protocols, each gets GraphQL's syntax error as an answer, the socket keeps serving, and the
server prints no traceback (the autouse fixture checks its output after every test)."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from .client import Api, Staff

BROKEN = ["subscription {", "{", "query { transactions(first: 1) {", "\x00", "subscription { balanceChanged { delta } } }"]


def _is_syntax_error(errors: list[dict]) -> bool:
    return len(errors) == 1 and errors[0]["message"].startswith("Syntax Error")


@pytest.mark.parametrize("document", BROKEN)
async def test_http_answers_a_syntax_error(api: Api, staff: Staff, document: str) -> None:
    person = await api.new_customer(staff, top_up=None)
    result = await api.request(document, token=person.token)
    assert result.get("data") is None and _is_syntax_error(result["errors"]), result


async def _refusal(ws: websockets.ClientConnection, op_id: str) -> str:
    """What graphql-transport-ws answers a document that does not parse: strawberry closes the
    socket with 4400 and the syntax error as the reason (or sends an ``error`` message)."""
    try:
        answer = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 4400, closed
        return closed.rcvd.reason
    assert answer["type"] == "error" and answer["id"] == op_id, answer
    return answer["payload"][0]["message"]


async def _transport_ws(api: Api, token: str) -> websockets.ClientConnection:
    ws = await websockets.connect(api.server.ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10)
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "connection_ack"
    return ws


@pytest.mark.parametrize("document", BROKEN)
async def test_graphql_transport_ws_answers_a_syntax_error(api: Api, staff: Staff, document: str) -> None:
    person = await api.new_customer(staff, top_up=None)
    async with await _transport_ws(api, person.token) as ws:
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": document}}))
        assert (await _refusal(ws, "1")).startswith("Syntax Error")
    async with await _transport_ws(api, person.token) as ws:  # the server goes on serving
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "pong"


@pytest.mark.parametrize("document", BROKEN)
async def test_legacy_graphql_ws_answers_a_syntax_error(api: Api, staff: Staff, document: str) -> None:
    person = await api.new_customer(staff, top_up=None)
    async with websockets.connect(api.server.ws_url, subprotocols=["graphql-ws"], open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {person.token}"}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": {"query": document}}))
        while (answer := json.loads(await asyncio.wait_for(ws.recv(), timeout=10)))["type"] == "ka":
            continue
        assert answer["type"] == "error" and answer["id"] == "1", answer
        errors = answer["payload"] if isinstance(answer["payload"], list) else [answer["payload"]]
        assert _is_syntax_error(errors), answer


TOO_MANY_TOKENS = "subscription { balanceChanged { " + "delta " * 2500 + "} }"
BAD_VARIABLES = [{"n": "abc"}, {"n": 1e30}, {"n": [1]}, {"n": {"a": 1}}, {"n": -5}]
PAGE = "query($n: Int) { transactions(first: $n) { totalCount edges { node { amount } } } }"


async def test_token_limit_and_bad_variables_are_answered_on_a_websocket(api: Api, staff: Staff) -> None:
    person = await api.new_customer(staff, top_up=None)
    async with await _transport_ws(api, person.token) as ws:
        await ws.send(json.dumps({"id": "t", "type": "subscribe", "payload": {"query": TOO_MANY_TOKENS}}))
        assert "more than 2000 tokens" in await _refusal(ws, "t")
    async with await _transport_ws(api, person.token) as ws:
        for number, variables in enumerate(BAD_VARIABLES):
            await ws.send(json.dumps({"id": f"v{number}", "type": "subscribe",
                                      "payload": {"query": PAGE, "variables": variables}}))
            answer = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            assert answer["id"] == f"v{number}" and answer["type"] in ("error", "next"), answer
            if answer["type"] == "next":
                assert answer["payload"].get("errors"), answer
                done = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                assert done == {"id": f"v{number}", "type": "complete"}, done
            by_http = await api.request(PAGE, variables, token=person.token)
            assert by_http.get("errors") and by_http["errors"][0]["message"] != "Internal error", by_http
