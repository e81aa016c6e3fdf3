"""Benchmark scenario "order -> pay -> webhook delivered", on PostgreSQL + Redis.

    python -m bench.webhooks                  # 400 orders, 16 at a time
    python -m bench.webhooks --orders 2000 --concurrency 32 --workers 2
    python -m bench.webhooks --half-peak 10    # the peak, then orders at half of it for 10 s

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


ORDER = ("mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { qrPayload } errors { code message } } }")
PAY_ORDER = "mutation($i: PayQrCodeInput!) { payQrCode(input: $i) { errors { code message } } }"


class Shop:
    """A merchant's server and its customers against one fenpay: creates orders with the API key,
    has payers pay them by their QR code, and notes when each payment was answered."""

    def __init__(self, client: httpx.AsyncClient, api_key: str, payer_tokens: list[str], pin: str) -> None:
        self.client, self.api_key, self.payer_tokens, self.pin = client, api_key, payer_tokens, pin
        self.paid_at: dict[str, float] = {}
        self.failures = 0
        self._next = 0

    async def sell_one(self, prefix: str) -> None:
        i = self._next
        self._next += 1
        out_trade_no = f"{prefix}{i:07d}"
        try:
            order = await _gql(self.client, ORDER, {"i": {"outTradeNo": out_trade_no, "amount": "12.34"}}, self.api_key)
            await _gql(self.client, PAY_ORDER, {"i": {"payload": order["order"]["qrPayload"], "paymentPassword": self.pin,
                                                      "idempotencyKey": out_trade_no}},
                       self.payer_tokens[i % len(self.payer_tokens)])
        except (RuntimeError, httpx.HTTPError):
            self.failures += 1
            return
        self.paid_at[out_trade_no] = time.perf_counter()

    async def closed_loop(self, prefix: str, *, concurrency: int, seconds: float | None = None,
                          orders: int | None = None) -> float:
        """``concurrency`` sellers as fast as they go, for ``seconds`` or until ``orders`` are
        paid; answers the orders paid per second."""
        before, started = len(self.paid_at), time.perf_counter()
        stop_at = started + seconds if seconds else float("inf")
        budget = orders if orders is not None else 10**9

        async def seller() -> None:
            nonlocal budget
            while time.perf_counter() < stop_at and budget > 0:
                budget -= 1
                await self.sell_one(prefix)

        await asyncio.gather(*(seller() for _ in range(concurrency)))
        return (len(self.paid_at) - before) / (time.perf_counter() - started)

    async def open_loop(self, prefix: str, *, rate: float, seconds: float) -> float:
        """Orders arriving at ``rate`` per second for ``seconds`` whatever the answers' speed;
        answers the orders paid per second."""
        before, started = len(self.paid_at), time.perf_counter()
        tasks = []
        for n in range(max(1, int(rate * seconds))):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # the arrival schedule of an open-loop load
            tasks.append(asyncio.create_task(self.sell_one(prefix)))
        await asyncio.gather(*tasks)
        return (len(self.paid_at) - before) / (time.perf_counter() - started)


async def _settle(receiver: Receiver, shop: Shop, prefix: str, patience: float) -> dict[str, Any]:
    """Wait up to ``patience`` s for this phase's webhooks; its delivery figures."""
    mine = [n for n in shop.paid_at if n.startswith(prefix)]
    deadline = time.perf_counter() + patience
    while sum(n in receiver.arrivals for n in mine) < len(mine) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)  # deliveries arrive over HTTP from the server's workers
    latencies = sorted((receiver.arrivals[n] - shop.paid_at[n]) * 1000 for n in mine if n in receiver.arrivals)
    return {
        "paid": len(mine),
        "delivered": len(latencies),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1) if latencies else None,
    }


async def _receiver() -> tuple[Receiver, uvicorn.Server, asyncio.Task[None], str]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)  # receiver start-up
    return receiver, server, serving, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/hook"


async def _register(client: httpx.AsyncClient, owner_token: str, merchant_no: str, hook: str, pin: str) -> tuple[str, str]:
    """An API key and a webhook endpoint through the API: (key secret, endpoint secret)."""
    key = await _gql(client, "mutation($i: CreateMerchantApiKeyInput!) { createMerchantApiKey(input: $i)"
                     " { secret errors { code message } } }",
                     {"i": {"merchantNo": merchant_no, "name": "bench", "scopes": KEY_SCOPES, "paymentPassword": pin}},
                     owner_token)
    endpoint = await _gql(client, "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint("
                          "input: $i) { secret errors { code message } } }",
                          {"i": {"merchantNo": merchant_no, "url": hook, "events": ["ORDER_PAID"]}}, owner_token)
    return key["secret"], endpoint["secret"]


async def _with_served_shop(workers: int, payers: int, body: Any) -> dict[str, Any]:
    """A fresh database, fenpay serving it (sandbox mode, so the webhook can go to a local
    receiver), a merchant with an API key and an endpoint; runs ``body(shop, receiver)``."""
    from .seed import PIN

    name = f"fenpay_bench_webhooks_{secrets.token_hex(3)}"
    await admin(f"CREATE DATABASE {name}")
    data_dir = Path(tempfile.mkdtemp(prefix="fenpay-bench-webhooks-"))
    env = {**bench_env(PG_SERVER.rsplit("/", 1)[0] + f"/{name}", data_dir), "FENPAY_MODE": "sandbox"}
    try:
        payer_tokens, owner_token, merchant_no = await _seed(env, payers)
        receiver, server, serving, hook = await _receiver()
        try:
            with Server(env, workers, data_dir / "server.log") as fenpay:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fenpay.port}", timeout=30,
                                             limits=httpx.Limits(max_connections=64)) as client:
                    api_key, receiver.secret = await _register(client, owner_token, merchant_no, hook, PIN)
                    result: dict[str, Any] = await body(Shop(client, api_key, payer_tokens, PIN), receiver)
        finally:
            server.should_exit = True
            await serving
        result["duplicates"], result["bad_signatures"] = receiver.duplicates, receiver.bad
        return result
    finally:
        await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def run(orders: int, concurrency: int, workers: int, payers: int) -> dict[str, Any]:
    """``orders`` orders, ``concurrency`` at a time, each paid and its webhook awaited."""

    async def body(shop: Shop, receiver: Receiver) -> dict[str, Any]:
        started = time.perf_counter()
        await shop.closed_loop("B", concurrency=concurrency, orders=orders)
        figures = await _settle(receiver, shop, "B", patience=120)
        finished = max(receiver.arrivals.values(), default=time.perf_counter())
        return {
            "scenario": "order -> pay -> webhook delivered",
            "orders": orders,
            **figures,
            "deliveries_per_second": round(figures["delivered"] / (finished - started), 1),
            "workers": workers,
            "concurrency": concurrency,
        }

    return await _with_served_shop(workers, payers, body)


async def half_peak(seconds: float, workers: int = 2, payers: int = 200, concurrency: int = 16) -> dict[str, Any]:
    """Issue 24's merchant scenario: the order -> pay peak (closed loop, ``concurrency``
    sellers), then orders arriving at half that rate (open loop) for ``seconds``: whether the
    webhooks keep up (delivered within 10 s of the phase's end) and their latency from the
    payment's answer to the receiver."""

    async def body(shop: Shop, receiver: Receiver) -> dict[str, Any]:
        peak = await shop.closed_loop("P", concurrency=concurrency, seconds=seconds)
        await _settle(receiver, shop, "P", patience=30)
        rate = max(peak / 2, 1.0)
        paced = await shop.open_loop("H", rate=rate, seconds=seconds)
        figures = await _settle(receiver, shop, "H", patience=10)
        return {"peak_orders_per_second": round(peak, 1), "offered_per_second": round(rate, 1),
                "paid_per_second": round(paced, 1), "failures": shop.failures, **figures}

    return await _with_served_shop(workers, payers, body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--payers", type=int, default=200)
    parser.add_argument("--half-peak", type=float, metavar="SECONDS",
                        help="issue 24's scenario instead: the peak, then half of it for SECONDS")
    args = parser.parse_args()
    if args.half_peak:
        result = asyncio.run(half_peak(args.half_peak, args.workers, args.payers, args.concurrency))
    else:
        result = asyncio.run(run(args.orders, args.concurrency, args.workers, args.payers))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
