"""Slow clients (issue 17): headers or a body trickling in are cut off at the read deadlines of
``fenpay serve``, while ordinary requests and websockets on the same server are unaffected."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest
import websockets

from tests.harness.fenpay_serve import Served, fenpay_serve

SOCKETS = 50


@pytest.fixture(scope="module")
def impatient(test_env, platform) -> Iterator[Served]:  # noqa: ANN001
    extra = {"FENPAY_HEADER_READ_TIMEOUT_SECONDS": "2", "FENPAY_BODY_READ_TIMEOUT_SECONDS": "2"}
    with fenpay_serve(test_env, extra_env=extra) as server:
        yield server


async def _trickle(port: int, first: bytes) -> float:
    """Send ``first``, then one byte a second; seconds until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(first)
    await writer.drain()
    try:
        for _ in range(20):
            try:
                data = await asyncio.wait_for(reader.read(1024), timeout=1.0)
            except TimeoutError:
                writer.write(b"x")
                await writer.drain()
                continue
            if not data:
                return time.monotonic() - started
        return float("inf")
    except ConnectionError:
        return time.monotonic() - started
    finally:
        writer.close()


async def test_slow_headers_and_slow_bodies_are_cut_off(impatient):
    headers = b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: "
    body = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
    times = await asyncio.gather(*[_trickle(impatient.port, headers) for _ in range(SOCKETS)],
                                 *[_trickle(impatient.port, body) for _ in range(SOCKETS)])
    assert max(times) < 8, sorted(times)[-5:]


async def test_ordinary_requests_and_sockets_still_work(impatient):
    async with httpx.AsyncClient(base_url=impatient.http_url, timeout=10) as client:
        assert (await client.post("/graphql", json={"query": "{ __typename }"})).json()["data"]
    async with websockets.connect(impatient.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await asyncio.sleep(3)  # past both deadlines: an open socket is not a slow request
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=5))["type"] == "pong"
