"""Many idle-then-busy `balanceChanged` subscribers on one server process."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime

QUERY = "subscription { balanceChanged { delta available occurredAt transaction { transactionNo } } }"


async def _subscriber(url: str, token: str, received: list, ready: asyncio.Event, counter: list, total: int) -> None:  # noqa: ANN001
    import websockets

    async with websockets.connect(url, subprotocols=["graphql-transport-ws"], open_timeout=60, max_queue=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
        counter[0] += 1
        if counter[0] == total:
            ready.set()
        while True:  # until the task is cancelled (no polling: 2,000 idle loops would cost CPU)
            raw = await ws.recv()
            arrived = time.time()
            message = json.loads(raw)
            if message.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong"}))
                continue
            if message.get("type") != "next":
                continue
            event = message["payload"]["data"]["balanceChanged"]
            occurred = datetime.fromisoformat(event["occurredAt"]).timestamp()
            received.append((event["transaction"]["transactionNo"] if event["transaction"] else None, arrived - occurred))


def run_subscribers(url: str, tokens: list[str], conn, seconds_after_ready: float) -> None:  # noqa: ANN001
    """Child process: connect every subscriber, tell the parent, collect events, send results back."""
    async def main() -> None:
        received: list = []
        ready = asyncio.Event()
        counter = [0]
        tasks = []
        for token in tokens:
            tasks.append(asyncio.create_task(_subscriber(url, token, received, ready, counter, len(tokens))))
            await asyncio.sleep(0.002)  # pace the handshakes so the server is not flooded at once
        await asyncio.wait_for(ready.wait(), timeout=300)
        conn.send("ready")
        # The parent measures memory, then runs the payments, then tells us to stop.
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)
        await asyncio.sleep(2.0)  # let in-flight events arrive
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        conn.send(received)

    asyncio.run(main())


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
