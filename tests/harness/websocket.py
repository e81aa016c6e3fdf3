"""A graphql-transport-ws client for tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets


class Subscription:
    def __init__(self, ws: Any, op_id: str) -> None:
        self.ws = ws
        self.op_id = op_id

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next message for this operation: {"type": "next"|"error"|"complete", "payload": ...}."""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=timeout)
            assert isinstance(raw, str), "GraphQL websocket messages must be text frames (browsers expect them)"
            message = json.loads(raw)
            if message.get("type") in ("ping",):
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if message.get("id") == self.op_id:
                return message

    async def next_data(self, timeout: float = 10.0) -> dict[str, Any]:
        message = await self.next(timeout)
        assert message["type"] == "next", message
        payload = message["payload"]
        assert not payload.get("errors"), payload
        return payload["data"]


@asynccontextmanager
async def connect(url: str, *, token: str | None = None, origin: str | None = None) -> AsyncIterator[Any]:
    """Open a websocket and finish the connection_init handshake (asserting connection_ack)."""
    headers = {"Origin": origin} if origin else None
    async with websockets.connect(
        url, subprotocols=["graphql-transport-ws"], additional_headers=headers, open_timeout=10
    ) as ws:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        assert ack["type"] == "connection_ack", ack
        yield ws


async def subscribe(ws: Any, query: str, variables: dict[str, Any] | None = None, op_id: str = "1") -> Subscription:
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}))
    return Subscription(ws, op_id)
