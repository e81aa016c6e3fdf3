"""Risk limits hold under bursts of concurrent payments against a real server.

The money kernel evaluates the daily limit, the unverified lifetime cap and the velocity
rule from figures read under the payer's wallet row lock, in the payment's own database
transaction: however many requests arrive at once, exactly as many succeed as the limit
allows. PostgreSQL + Redis: ``fenpay serve --workers 2`` (two processes, the row lock is
the only thing serializing them); SQLite: one worker.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.ledger.reconcile import reconcile
from models import Transaction, User
from models.risk import RiskDecision
from tests.conftest import PG_URL
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.server import Server, run_server
from tests.payments.support import PAY, merchant_balance

WORKERS = 2 if PG_URL else 1


@pytest.fixture
def server(test_env: dict[str, str], platform) -> Iterator[tuple[Server, Path]]:  # noqa: ANN001
    with tempfile.NamedTemporaryFile(prefix="fenpay-burst-", suffix=".log", delete=False) as log:
        with run_server(test_env, workers=WORKERS, output=log) as srv:
            yield srv, Path(log.name)
    output = Path(log.name).read_text(errors="replace")
    assert "Traceback" not in output, output


async def _burst(server: Server, payer: User, merchant_no: str, amount: str, count: int) -> list[list[str]]:
    """``count`` concurrent pay requests (distinct keys); the user error codes of each."""
    token = token_for(payer)

    async def pay(client: httpx.AsyncClient, i: int) -> list[str]:
        variables = {"input": {"merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
                               "paymentPassword": DEFAULT_PIN, "idempotencyKey": f"burst-{i}"}}
        response = await client.post("/graphql", json={"query": PAY, "variables": variables},
                                      headers={"Authorization": f"Bearer {token}"})
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return [e["code"] for e in body["data"]["pay"]["errors"]]

    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(base_url=server.http_url, timeout=120, limits=limits) as client:
        return await asyncio.gather(*(pay(client, i) for i in range(count)))


def _fenpay_reconcile(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``fenpay reconcile`` as an operator runs it, against the test database."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "app.cli", "reconcile"], env={**os.environ, **env},
        capture_output=True, text=True, timeout=120,
    )


async def _assert_books_exact(test_env: dict[str, str], payer: User, funded: int, merchant, paid: int) -> None:  # noqa: ANN001
    assert await wallet_balance(payer) == (funded - paid, 0)
    assert await merchant_balance(merchant) == paid
    assert (await reconcile()).clean
    checked = _fenpay_reconcile(test_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr


async def test_30_concurrent_payments_against_the_daily_limit_let_exactly_10_through(server, test_env):
    srv, _ = server
    merchant, _ = await make_merchant()
    payer = await make_user()
    funded = 200_000_00
    await fund(payer, funded)

    outcomes = await _burst(srv, payer, merchant.merchant_no, "4999.99", 30)

    assert sum(1 for o in outcomes if o == []) == 10  # 10 x 4,999.99 = 49,999.90 <= 50,000.00
    assert sum(1 for o in outcomes if o == ["LIMIT_EXCEEDED"]) == 20
    assert await Transaction.filter(type="PAYMENT", status="SUCCEEDED").count() == 10
    assert await Transaction.filter(type="PAYMENT").count() == 10  # refusals rolled back
    assert await RiskDecision.filter(user_id=payer.id, outcome="REJECT", rule="DAILY_LIMIT").count() == 20
    assert await RiskDecision.filter(user_id=payer.id, outcome="ALLOW").count() == 10
    await _assert_books_exact(test_env, payer, funded, merchant, 10 * 4999_99)


async def test_40_concurrent_small_payments_let_exactly_20_through_the_velocity_rule(server, test_env):
    srv, _ = server
    merchant, _ = await make_merchant()
    payer = await make_user()
    funded = 100_00
    await fund(payer, funded)

    outcomes = await _burst(srv, payer, merchant.merchant_no, "0.01", 40)

    assert sum(1 for o in outcomes if o == []) == 20
    assert sum(1 for o in outcomes if o == ["RISK_REJECTED"]) == 20
    assert await RiskDecision.filter(user_id=payer.id, outcome="REJECT", rule="VELOCITY").count() == 20
    await _assert_books_exact(test_env, payer, funded, merchant, 20 * 1)


async def test_an_unverified_users_concurrent_payments_stay_within_the_lifetime_cap(server, test_env):
    srv, _ = server
    merchant, _ = await make_merchant()
    payer = await make_user(verified=False)
    funded = 5_000_00
    await fund(payer, funded)

    outcomes = await _burst(srv, payer, merchant.merchant_no, "300.00", 6)

    succeeded = sum(1 for o in outcomes if o == [])
    assert succeeded == 3  # 3 x 300.00 = 900.00; a fourth would pass the 1,000.00 cap
    assert sum(1 for o in outcomes if o == ["REAL_NAME_REQUIRED"]) == 3
    assert succeeded * 300_00 <= 1_000_00
    await _assert_books_exact(test_env, payer, funded, merchant, succeeded * 300_00)
