"""A real uvicorn server over HTTP and websockets."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tests.harness.server import run_server
from tests.harness.websocket import connect


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def test_health_and_graphiql_over_http(server):
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        health = await client.get("/health")
        assert health.status_code == 200
        assert health.json()["database"]["state"] == "ok"
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
        result = await client.post("/graphql", json={"query": "{ viewer { id } }"})
        assert result.json() == {"data": {"viewer": None}}


async def test_websocket_connection_ack(server):
    async with connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
        assert reply["type"] == "pong"


async def test_websocket_with_bad_token_is_refused(server):
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer forged"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=5)
        assert closed.value.rcvd.code == 4403


async def test_websocket_from_foreign_origin_is_refused(server):
    with pytest.raises(websockets.InvalidStatus):
        async with connect(server.ws_url, origin="https://evil.example"):
            pass
