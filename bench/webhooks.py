"""Benchmark scenario "order -> pay -> webhook delivered", on PostgreSQL + Redis.

    python -m bench.webhooks                  # 400 orders, 16 at a time
    python -m bench.webhooks --orders 2000 --concurrency 32 --workers 2

Starts ``fenpay serve`` (sandbox mode, so the webhook may go to a local receiver) on a fresh
database, seeds payers and one merchant directly, creates an API key and a webhook endpoint
through the API, then for every order: ``createOrder`` with the API key, ``payQrCode`` by a
payer. A local receiver verifies each webhook's signature and notes its arrival. Reports
webhook deliveries per second and delivery latency (payQrCode answered -> webhook received)
p50/p99, and checks every order's ORDER_PAID arrived exactly once (by eventId).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from examples.merchant_server import verify_signature

from .run import PG_SERVER, Server, admin, bench_env

KEY_SCOPES = ["ORDERS", "REFUNDS", "WEBHOOKS"]


class Receiver:
    """Verifies signatures; notes the first arrival time of each order's ORDER_PAID."""

    def __init__(self) -> None:
        self.secret = ""
        self.arrivals: dict[str, float] = {}
        self.seen: set[str] = set()
        self.duplicates = 0
        self.bad = 0

    async def handle(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            verify_signature(self.secret, request.headers.get("x-fenpay-signature"), body)
        except Exception:
            self.bad += 1
            return JSONResponse({"error": "bad signature"}, status_code=400)
        event = json.loads(body)
        if event["eventId"] in self.seen:
            self.duplicates += 1
        else:
            self.seen.add(event["eventId"])
            if event["type"] == "ORDER_PAID":
                self.arrivals.setdefault(event["order"]["outTradeNo"], time.perf_counter())
        return JSONResponse({"ok": True})


async def _gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    (payload,) = body["data"].values()
    if payload.get("errors"):
        raise RuntimeError(payload["errors"])
    return payload


async def _seed(env: dict[str, str], payers: int) -> tuple[list[str], str, str]:
    """Payers with funded wallets and one merchant, written directly; returns
    (payer access tokens, owner access token, merchantNo)."""
    import os

    from app import db
    from app.identity.tokens import issue_access_token
    from app.runtime import start, stop
    from app.settings import load_settings

    from .seed import seed

    os.environ.update(env)
    await start(load_settings(), migrate=True)
    try:
        async with db.atomic() as conn:
            seeded = await seed(conn, users=payers, merchants=1, balance_fen=10_000_000, history_rows=0,
                                history_user_rows=0)
        from models import Merchant

        merchant = await Merchant.get(merchant_no=seeded.merchant_nos[0])
        payer_tokens = [issue_access_token(uid)[0] for uid in seeded.user_ids]
        return payer_tokens, issue_access_token(merchant.owner_id)[0], merchant.merchant_no
    finally:
        await stop()


async def run(orders: int, concurrency: int, workers: int, payers: int) -> dict[str, Any]:
    from .seed import PIN

    name = f"fenpay_bench_webhooks_{secrets.token_hex(3)}"
    await admin(f"CREATE DATABASE {name}")
    data_dir = Path(tempfile.mkdtemp(prefix="fenpay-bench-webhooks-"))
    env = {**bench_env(PG_SERVER.rsplit("/", 1)[0] + f"/{name}", data_dir), "FENPAY_MODE": "sandbox"}
    try:
        payer_tokens, owner_token, merchant_no = await _seed(env, payers)
        receiver = Receiver()
        app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)  # receiver start-up
        hook = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/hook"
        with Server(env, workers, data_dir / "server.log") as fenpay:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fenpay.port}", timeout=30) as client:
                key = await _gql(client, "mutation($i: CreateMerchantApiKeyInput!) { createMerchantApiKey(input: $i)"
                                 " { secret errors { code message } } }",
                                 {"i": {"merchantNo": merchant_no, "name": "bench", "scopes": KEY_SCOPES,
                                        "paymentPassword": PIN}}, owner_token)
                endpoint = await _gql(client, "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint("
                                      "input: $i) { secret errors { code message } } }",
                                      {"i": {"merchantNo": merchant_no, "url": hook, "events": ["ORDER_PAID"]}},
                                      owner_token)
                receiver.secret = endpoint["secret"]
                paid_at: dict[str, float] = {}
                gate = asyncio.Semaphore(concurrency)

                async def one(i: int) -> None:
                    out_trade_no = f"B{i:07d}"
                    async with gate:
                        order = await _gql(client, "mutation($i: CreateOrderInput!) { createOrder(input: $i)"
                                           " { order { qrPayload } errors { code message } } }",
                                           {"i": {"outTradeNo": out_trade_no, "amount": "12.34"}}, key["secret"])
                        await _gql(client, "mutation($i: PayQrCodeInput!) { payQrCode(input: $i)"
                                   " { errors { code message } } }",
                                   {"i": {"payload": order["order"]["qrPayload"], "paymentPassword": PIN,
                                          "idempotencyKey": out_trade_no}}, payer_tokens[i % len(payer_tokens)])
                        paid_at[out_trade_no] = time.perf_counter()

                started = time.perf_counter()
                await asyncio.gather(*(one(i) for i in range(orders)))
                deadline = time.perf_counter() + 120
                while len(receiver.arrivals) < orders and time.perf_counter() < deadline:
                    await asyncio.sleep(0.1)  # waiting for deliveries to arrive over HTTP
                finished = max(receiver.arrivals.values(), default=time.perf_counter())
        server.should_exit = True
        await serving
        latencies = sorted(
            (receiver.arrivals[n] - paid_at[n]) * 1000 for n in paid_at if n in receiver.arrivals
        )
        return {
            "scenario": "order -> pay -> webhook delivered",
            "orders": orders,
            "delivered": len(receiver.arrivals),
            "duplicates": receiver.duplicates,
            "bad_signatures": receiver.bad,
            "deliveries_per_second": round(len(receiver.arrivals) / (finished - started), 1),
            "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
            "workers": workers,
            "concurrency": concurrency,
        }
    finally:
        await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--payers", type=int, default=200)
    args = parser.parse_args()
    result = asyncio.run(run(args.orders, args.concurrency, args.workers, args.payers))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
