"""Red packets against a real server: 30 concurrent claimers of a 10-share random packet
(PostgreSQL + Redis: ``fenpay serve --workers 2``; SQLite: one worker), the sender's live
claim list over a websocket, and ``fenpay reconcile`` clean afterwards."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.ledger.reconcile import reconcile
from models.red_packets import RedPacketClaim
from tests.conftest import PG_URL
from tests.factories import fund, make_user, token_for, wallet_balance
from tests.harness.server import Server, run_server
from tests.harness.websocket import connect, subscribe
from tests.social.support import CLAIM, LIVE_PACKET, SEND, fenpay_reconcile, send_input

WORKERS = 2 if PG_URL else 1


@pytest.fixture
def server(test_env: dict[str, str], platform) -> Iterator[Server]:  # noqa: ANN001
    with tempfile.NamedTemporaryFile(prefix="fenpay-social-", suffix=".log", delete=False) as log:
        with run_server(test_env, workers=WORKERS, output=log) as srv:
            yield srv
    output = Path(log.name).read_text(errors="replace")
    assert "Traceback" not in output, output


async def _post(client: httpx.AsyncClient, query: str, variables: dict, token: str) -> dict:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]


async def test_30_concurrent_claimers_of_a_10_share_random_packet(server, test_env):
    sender = await make_user()
    await fund(sender, 200_00)
    claimers = [await make_user() for _ in range(30)]
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    async with httpx.AsyncClient(base_url=server.http_url, timeout=120, limits=limits) as client:
        sent = (await _post(client, SEND, send_input("88.88", 10, "RANDOM"), token_for(sender)))["sendRedPacket"]
        assert sent["errors"] == []
        packet_no = sent["redPacket"]["packetNo"]

        async with connect(server.ws_url, token=token_for(sender)) as ws:
            live = await subscribe(ws, LIVE_PACKET, {"no": packet_no})
            assert (await live.next_data())["redPacketUpdates"]["claimedCount"] == 0  # live from here on
            results = await asyncio.gather(
                *(_post(client, CLAIM, {"input": {"packetNo": packet_no}}, token_for(u)) for u in claimers)
            )
            state = (await live.next_data(timeout=30))["redPacketUpdates"]
            while state["claimedCount"] < 10:
                state = (await live.next_data(timeout=30))["redPacketUpdates"]
            assert state["status"] == "EMPTY"
            pushed = state["claims"]

    payloads = [r["claimRedPacket"] for r in results]
    won = [p for p in payloads if p["errors"] == []]
    refused = [p for p in payloads if p["errors"]]
    assert len(won) == 10
    assert {p["errors"][0]["code"] for p in refused} == {"RED_PACKET_EMPTY"}
    assert len(refused) == 20
    shares = [round(float(p["claim"]["amount"]) * 100) for p in won]  # decimal strings read back in the test
    assert sum(shares) == 88_88
    assert min(shares) >= 1
    assert sorted(p["claim"]["seq"] for p in won) == list(range(1, 11))
    assert sorted(c["seq"] for c in pushed) == list(range(1, 11))
    assert sorted(c["amount"] for c in pushed) == sorted(p["claim"]["amount"] for p in won)

    assert await RedPacketClaim.all().count() == 10
    claimed_total = 0
    for user in claimers:
        available, held = await wallet_balance(user)
        assert held == 0
        claimed_total += available
    assert claimed_total == 88_88
    assert await wallet_balance(sender) == (200_00 - 88_88, 0)
    assert (await reconcile()).clean
    checked = fenpay_reconcile(test_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
