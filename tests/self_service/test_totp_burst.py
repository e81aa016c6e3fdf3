"""Single use and the lockout under bursts of concurrent requests against a real
``fenpay serve --workers 2`` (run on PostgreSQL + Redis for the guarantee)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from models.risk import RiskAlert
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.server import free_port
from tests.self_service.totp_steps import BEGIN, CONFIRM, LOGIN, code_now

BURST = 12
REFUSED = {"INVALID_TOTP_CODE", "TOTP_LOCKED", "ACCOUNT_LOCKED"}
PAY = """
mutation($input: PayInput!) { pay(input: $input) { transaction { id } errors { code } } }"""


@pytest.fixture(scope="module")
def served(test_env, platform) -> Iterator[str]:  # noqa: ANN001
    """``fenpay serve --workers 2``; yields its URL and fails on a traceback in its output."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="fenpay-totp-serve-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--workers", "2", "--port", str(port), "--log-level", "warning"],
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
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: the workers are slow to stop
            process.kill()
            process.wait()
        output = open(log.name, encoding="utf-8").read()
        os.unlink(log.name)
        assert "Traceback" not in output, output


async def _post(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = (await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)).json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    return payload


async def _enroll(client: httpx.AsyncClient, user: Any) -> tuple[str, list[str]]:
    token = token_for(user)
    secret = (await _post(client, BEGIN, {"password": DEFAULT_PASSWORD}, token))["enrollment"]["secret"]
    confirmed = await _post(client, CONFIRM, {"code": code_now(secret)}, token)
    assert confirmed["errors"] == [], confirmed
    return secret, confirmed["recoveryCodes"]


def _outcome(payload: dict) -> str:
    return "OK" if not payload["errors"] else payload["errors"][0]["code"]


async def _burst(client: httpx.AsyncClient, user: Any, code: str) -> Counter:
    variables = {"identifier": user.phone, "password": DEFAULT_PASSWORD, "totpCode": code}
    results = await asyncio.gather(*(_post(client, LOGIN, variables) for _ in range(BURST)))
    return Counter(_outcome(r) for r in results)


async def test_one_code_signs_in_once_under_a_burst(served):
    user = await make_user()
    async with httpx.AsyncClient(base_url=served, timeout=60) as client:
        secret, _ = await _enroll(client, user)
        # The code that confirmed enrolment is spent; the next step's code is fresh (±1 window).
        outcomes = await _burst(client, user, code_now(secret, 1))
    # One sign-in; every replay is refused (by the token, or by the login-attempt guard first).
    assert outcomes["OK"] == 1 and set(outcomes) <= REFUSED | {"OK"}, outcomes


async def test_one_recovery_code_signs_in_once_under_a_burst(served):
    user = await make_user()
    async with httpx.AsyncClient(base_url=served, timeout=60) as client:
        _, recovery = await _enroll(client, user)
        outcomes = await _burst(client, user, recovery[0])
    assert outcomes["OK"] == 1 and set(outcomes) <= REFUSED | {"OK"}, outcomes


async def test_a_burst_of_wrong_step_up_codes_locks_after_exactly_five(served):
    """Large payments (no login-attempt guard in the way): 12 concurrent wrong codes, each
    counted on the token by one atomic UPDATE: exactly 4 plain refusals, then locked."""
    merchant, _ = await make_merchant("并发商户")
    user = await make_user()
    await fund(user, 100_000_00)
    async with httpx.AsyncClient(base_url=served, timeout=60) as client:
        secret, _ = await _enroll(client, user)
        wrong = "000000" if code_now(secret) != "000000" else "111111"
        token = token_for(user)

        async def pay(n: int) -> dict:
            return await _post(client, PAY, {"input": {
                "merchantNo": merchant.merchant_no, "amount": "6000.00", "channel": "WALLET_BALANCE",
                "paymentPassword": DEFAULT_PIN, "idempotencyKey": f"burst-{n}", "verificationCode": wrong}}, token)

        results = await asyncio.gather(*(pay(n) for n in range(BURST)))
        outcomes = Counter(_outcome(r) for r in results)
        assert outcomes == Counter({"INVALID_VERIFICATION_CODE": 4, "TOTP_LOCKED": BURST - 4}), outcomes
        after = await _post(client, LOGIN, {"identifier": user.phone, "password": DEFAULT_PASSWORD,
                                            "totpCode": code_now(secret, 1)})
        assert _outcome(after) == "TOTP_LOCKED"
    assert await wallet_balance(user) == (100_000_00, 0)
    assert await RiskAlert.filter(type="TOTP_ATTEMPTS", user_id=user.id).count() == 1
