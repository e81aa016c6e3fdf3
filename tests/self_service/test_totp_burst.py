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
from tests.self_service.totp_steps import BEGIN, CONFIRM, LOGIN, code_now
from tests.support.factories import DEFAULT_PASSWORD, make_user, token_for
from tests.support.server import free_port

BURST = 12


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
    # One sign-in; every replay is refused (and, being a used code, counts as a wrong one).
    assert outcomes["OK"] == 1 and outcomes["INVALID_TOTP_CODE"] + outcomes["TOTP_LOCKED"] == BURST - 1, outcomes


async def test_one_recovery_code_signs_in_once_under_a_burst(served):
    user = await make_user()
    async with httpx.AsyncClient(base_url=served, timeout=60) as client:
        _, recovery = await _enroll(client, user)
        outcomes = await _burst(client, user, recovery[0])
    assert outcomes["OK"] == 1 and outcomes["INVALID_TOTP_CODE"] + outcomes["TOTP_LOCKED"] == BURST - 1, outcomes


async def test_a_burst_of_wrong_codes_locks_after_exactly_five(served):
    user = await make_user()
    async with httpx.AsyncClient(base_url=served, timeout=60) as client:
        secret, _ = await _enroll(client, user)
        wrong = "000000" if code_now(secret) != "000000" else "111111"
        outcomes = await _burst(client, user, wrong)
        assert outcomes == Counter({"INVALID_TOTP_CODE": 4, "TOTP_LOCKED": BURST - 4}), outcomes
        after = await _post(client, LOGIN, {"identifier": user.phone, "password": DEFAULT_PASSWORD,
                                            "totpCode": code_now(secret, 1)})
        assert _outcome(after) == "TOTP_LOCKED"
    assert await RiskAlert.filter(type="TOTP_ATTEMPTS", user_id=user.id).count() == 1
