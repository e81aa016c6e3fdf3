"""`balanceChanged` subscribers that stay connected for the whole bank test.

Each subscriber records every event it receives (transaction number, delta, balance, event
id) and whether its connection ever dropped. A subscriber whose socket closed is reported
and left out of the delivery check; one that stayed connected must have every event.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

QUERY = (
    "subscription { balanceChanged { eventId delta available occurredAt transaction { transactionNo } } }"
)


@dataclass
class Listener:
    user_id: int
    token: str
    connected_at: float = 0.0
    dropped_at: float | None = None
    drop_reason: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _listen(url: str, listener: Listener, ready: asyncio.Event, counter: list[int], total: int,
                  stop: asyncio.Event) -> None:
    import websockets

    try:
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"], open_timeout=30, max_queue=None,
                                      ping_interval=20, ping_timeout=60) as ws:
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"authorization": f"Bearer {listener.token}"}}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no connection_ack: {ack}")
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
            listener.connected_at = time.time()
            counter[0] += 1
            if counter[0] == total:
                ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                    continue
                if kind == "complete":
                    raise RuntimeError("server completed the subscription")
                if kind == "error":
                    raise RuntimeError(f"subscription error: {message.get('payload')}")
                if kind != "next":
                    continue
                payload = message["payload"]
                if payload.get("errors"):
                    listener.errors.append(json.dumps(payload["errors"], ensure_ascii=False)[:300])
                event = (payload.get("data") or {}).get("balanceChanged")
                if event is None:
                    continue
                listener.events.append({
                    "eventId": event.get("eventId"),
                    "transactionNo": (event.get("transaction") or {}).get("transactionNo"),
                    "delta": event["delta"],
                    "available": event["available"],
                    "receivedAt": time.time(),
                })
    except Exception as exc:  # noqa: BLE001 - a dropped subscriber is reported, not fatal
        if not stop.is_set():
            listener.dropped_at = time.time()
            listener.drop_reason = f"{type(exc).__name__}: {exc}"[:300]
            if not ready.is_set():
                counter[0] += 1
                if counter[0] == total:
                    ready.set()


def subscriber_process(url: str, parties: list[tuple[int, str]], conn) -> None:  # noqa: ANN001
    """Child process: connect every subscriber, say "ready", listen until told "stop", send results."""

    async def main() -> None:
        listeners = [Listener(user_id, token) for user_id, token in parties]
        ready, stop = asyncio.Event(), asyncio.Event()
        counter = [0]
        tasks = [asyncio.create_task(_listen(url, lst, ready, counter, len(listeners), stop)) for lst in listeners]
        await asyncio.wait_for(ready.wait(), timeout=120)
        conn.send("ready")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # "stop"
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        conn.send([asdict(lst) for lst in listeners])

    asyncio.run(main())
