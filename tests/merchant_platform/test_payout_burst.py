"""Payouts under bursts of concurrent requests against a real ``fenpay serve --workers 2``
(run on PostgreSQL + Redis for the guarantee): never more than the available balance is held,
and one idempotency key makes one payout."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from app.ledger.reconcile import reconcile
from models.merchant_platform_money import Payout
from schema.node import to_global_id
from tests.factories import DEFAULT_PIN, fund, make_card, make_merchant, make_user, token_for

from .test_payouts_statements import REQUEST_PAYOUT

PAY = """mutation($input: PayInput!) { pay(input: $input) { errors { code } } }"""
BALANCE = """query($no: String!) { merchant(merchantNo: $no) { account { available frozen } } }"""


@pytest.fixture(scope="module")
def served(test_env, platform) -> Iterator[str]:  # noqa: ANN001
    """``fenpay serve --workers 2``; yields its URL and fails on a traceback in its output.

    On SQLite one worker: two workers starting at once race on the system accounts' creation
    there (a start-up problem outside payouts), and SQLite serializes writers anyway."""
    from tests.conftest import PG_URL
    from tests.harness.server import free_port

    workers = "2" if PG_URL else "1"
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="fenpay-payout-serve-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--workers", workers, "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **test_env}, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)  # start-up poll of an external process
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        output = open(log.name, encoding="utf-8").read()
        os.unlink(log.name)
        assert "Traceback" not in output, output


async def _call(client: httpx.AsyncClient, query: str, variables: dict, token: str) -> dict:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    return payload


async def test_concurrent_payouts_never_hold_more_than_available(served: str) -> None:
    merchant, owner = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    card = to_global_id("BankCard", (await make_card(owner)).id)
    token = token_for(owner)
    async with httpx.AsyncClient(base_url=served, timeout=60) as client:
        paid = await _call(
            client, PAY,
            {"input": {"merchantNo": merchant.merchant_no, "amount": "100.00", "channel": "WALLET_BALANCE",
                       "paymentPassword": DEFAULT_PIN, "idempotencyKey": "fill"}},
            token_for(payer),
        )
        assert paid["errors"] == []

        def request(key: str, amount: str = "30.00") -> dict:
            return {"input": {"merchantNo": merchant.merchant_no, "amount": amount, "bankCardId": card,
                              "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}}

        results = await asyncio.gather(*(_call(client, REQUEST_PAYOUT, request(f"k{i}"), token) for i in range(12)))
        codes = Counter(tuple(e["code"] for e in r["errors"]) for r in results)
        assert codes == {(): 3, ("INSUFFICIENT_FUNDS",): 9}, codes
        balance = (await _call(client, BALANCE, {"no": merchant.merchant_no}, token))["account"]
        assert balance == {"available": "10.00", "frozen": "90.00"}

        # Eight concurrent duplicates of one key: one payout, every answer the same.
        duplicates = await asyncio.gather(
            *(_call(client, REQUEST_PAYOUT, request("same", "10.00"), token) for _ in range(8))
        )
        assert [d["errors"] for d in duplicates] == [[]] * 8
        assert len({d["payout"]["id"] for d in duplicates}) == 1
        balance = (await _call(client, BALANCE, {"no": merchant.merchant_no}, token))["account"]
        assert balance == {"available": "0.00", "frozen": "100.00"}
    assert await Payout.filter(merchant_id=merchant.id).count() == 4
    report = await reconcile()
    assert report.clean, report.breaks
