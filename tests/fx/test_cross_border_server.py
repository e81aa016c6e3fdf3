"""Cross-border payments against a real server (PostgreSQL + Redis: ``fenpay serve --workers 2``;
SQLite: one worker): a concurrent burst of quoted payments from one person never passes the
annual limit, every journal balances per currency, and ``fenpay reconcile`` is clean."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from models import Posting, Transaction
from tests.conftest import PG_URL
from tests.factories import fund, make_merchant, make_user, token_for, wallet_balance
from tests.fx.support import PAY, QUOTE, USAGE, pay_input, quote_input
from tests.harness.server import Server, run_server
from tests.social.support import fenpay_reconcile

WORKERS = 2 if PG_URL else 1
LIMIT_ENV = {"FENPAY_FX_ANNUAL_LIMIT_USD_CENTS": "10000"}  # USD 100.00 = 710.00 CNY at the sandbox rate


@pytest.fixture
def server(test_env: dict[str, str], platform) -> Iterator[Server]:  # noqa: ANN001
    with tempfile.NamedTemporaryFile(prefix="fenpay-fx-", suffix=".log", delete=False) as log:
        with run_server(test_env, workers=WORKERS, output=log, extra_env=LIMIT_ENV) as srv:
            yield srv
    output = Path(log.name).read_text(errors="replace")
    assert "Traceback" not in output, output


async def _post(client: httpx.AsyncClient, query: str, variables: dict | None, token: str) -> dict:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                 headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]


async def test_a_burst_of_quoted_payments_never_passes_the_annual_limit(server, test_env):
    merchant, _ = await make_merchant("伦敦书店", category="零售", currency="EUR")
    payer = await make_user()
    await fund(payer, 5000_00)
    token = token_for(payer)
    async with httpx.AsyncClient(base_url=server.http_url, timeout=120) as client:
        quotes = []
        for _ in range(8):
            made = (await _post(client, QUOTE, quote_input(merchantNo=merchant.merchant_no, amount="200.00"), token))
            assert made["createFxQuote"]["errors"] == []
            quotes.append(made["createFxQuote"]["quote"])
        assert {q["merchantAmount"] for q in quotes} == {"25.97"}  # 200 / 7.7 = 25.974 EUR
        results = await asyncio.gather(*(
            _post(client, PAY, pay_input(merchant.merchant_no, "200.00", f"burst-{i}", q["id"]), token)
            for i, q in enumerate(quotes)
        ))
        usage = (await _post(client, USAGE, None, token))["crossBorderUsage"]

    payloads = [r["pay"] for r in results]
    won = [p for p in payloads if p["errors"] == []]
    refused = [p for p in payloads if p["errors"]]
    assert len(won) == 3  # 3 x 200.00 = 600.00 <= 710.00 < 800.00
    assert {e["code"] for p in refused for e in p["errors"]} == {"LIMIT_EXCEEDED"}
    assert usage["usedCny"] == "600.00" and usage["limitCny"] == "710.00"
    assert await wallet_balance(payer) == (4400_00, 0)
    assert await Transaction.filter(type="PAYMENT", status="SUCCEEDED").count() == 3
    assert sum(p.amount for p in await Posting.filter(account_id=merchant.account_id)) == 3 * 2597

    done = fenpay_reconcile(test_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ledger clean" in done.stdout
