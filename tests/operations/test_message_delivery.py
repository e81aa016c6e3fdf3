"""Real message delivery from a production-mode `fenpay` server: verification codes reach a
local SMS gateway (signed HTTP) and a local SMTP server, a message queued while the channel
is down arrives once after it comes back, and a message given up on is a dead letter staff
can see. Production refuses to start without the channels."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.harness.server import Server, run_server
from tests.operations.receivers import HttpReceiver, SmtpServer

GATEWAY_SECRET = "gw-" + secrets.token_hex(16)
REQUEST_CODE = """mutation($r: String!) { requestVerificationCode(input: {recipient: $r, purpose: REGISTER}) {
  sent errors { code } } }"""


def production_env(receiver: HttpReceiver, smtp: SmtpServer, **more: str) -> dict[str, str]:
    return {
        "FENPAY_MODE": "production",
        "FENPAY_JWT_SECRET": secrets.token_urlsafe(48),
        "FENPAY_PAYMENT_PEPPER": secrets.token_urlsafe(48),
        "FENPAY_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FENPAY_WEBHOOK_SECRET": secrets.token_urlsafe(48),
        "FENPAY_SMS_PROVIDER": "gateway",
        "FENPAY_SMS_GATEWAY_URL": receiver.url,
        "FENPAY_SMS_GATEWAY_SECRET": GATEWAY_SECRET,
        "FENPAY_SMTP_HOST": "127.0.0.1",
        "FENPAY_SMTP_PORT": str(smtp.port),
        "FENPAY_SMTP_SECURITY": "none",
        "FENPAY_SMTP_FROM": "fenpay <no-reply@fenpay.test>",
        **more,
    }


@pytest.fixture
def channels() -> Iterator[tuple[HttpReceiver, SmtpServer]]:
    with HttpReceiver() as receiver, SmtpServer() as smtp:
        yield receiver, smtp


def gql(server: Server, query: str, variables: dict[str, object] | None = None,
        token: str | None = None) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{server.http_url}/graphql", json={"query": query, "variables": variables or {}},
                          headers=headers, timeout=20)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def fenpay(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                            timeout=120, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result


def verify_gateway_signature(headers: dict[str, str], body: bytes) -> None:
    parts = dict(item.split("=", 1) for item in headers["X-Fenpay-Signature"].split(","))
    expected = hmac.new(GATEWAY_SECRET.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)


def test_codes_reach_the_sms_gateway_and_smtp_and_register_someone(test_env, channels):
    receiver, smtp = channels
    env = {**test_env, **production_env(receiver, smtp)}
    with run_server(env) as server:
        assert gql(server, REQUEST_CODE, {"r": "13800005501"})["requestVerificationCode"]["sent"] is True
        posts = receiver.wait_for(1)
        assert len(posts) == 1
        verify_gateway_signature(posts[0].headers, posts[0].body)
        sms = posts[0].json
        assert sms["to"] == "13800005501" and sms["purpose"] == "REGISTER"
        code = sms["params"]["code"]
        assert re.fullmatch(r"\d{6}", code) and code in sms["text"]

        registered = gql(server, """mutation($c: String!) { register(input: {phone: "13800005501",
            verificationCode: $c, password: "Fen#pay2026x", confirmPassword: "Fen#pay2026x", acceptTerms: true})
            { user { id } errors { code } } }""", {"c": code})["register"]
        assert registered["errors"] == [] and registered["user"]["id"]

        assert gql(server, REQUEST_CODE, {"r": "newcomer@example.com"})["requestVerificationCode"]["sent"] is True
        assert smtp.inbox.arrived.wait(15)
        email = smtp.inbox.messages[0]
        assert email["To"] == "newcomer@example.com"
        assert email["Subject"] == "fenpay 注册验证码"
        assert re.search(r"验证码是 \d{6}", email.get_content())

        # The delivery job finds nothing left to send: each message went out exactly once.
        later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        assert "message-delivery: sent 0, retrying 0, dead 0" in fenpay(env, "jobs", "run", "--now", later).stdout
        assert len(receiver.posts) == 1 and len(smtp.inbox.messages) == 1


def test_a_message_queued_while_the_gateway_is_down_arrives_once_after_it_returns(test_env, channels):
    receiver, smtp = channels
    env = {**test_env, **production_env(receiver, smtp)}
    receiver.status = 503
    with run_server(env) as server:
        assert gql(server, REQUEST_CODE, {"r": "13800005502"})["requestVerificationCode"]["sent"] is True
        assert len(receiver.wait_for(1)) == 1  # the immediate attempt, refused by the gateway
        receiver.status = 200
        retry_at = (datetime.now(UTC) + timedelta(seconds=15)).isoformat()
        assert "message-delivery: sent 1" in fenpay(env, "jobs", "run", "--now", retry_at).stdout
        again = (datetime.now(UTC) + timedelta(seconds=200)).isoformat()
        assert "message-delivery: sent 0, retrying 0, dead 0" in fenpay(env, "jobs", "run", "--now", again).stdout
    first, second = receiver.posts
    assert first.json["id"] == second.json["id"]  # the same message, so the gateway can de-duplicate
    assert second.json["params"]["code"] == first.json["params"]["code"]


def test_a_refused_message_is_a_dead_letter_staff_can_see(test_env, channels):
    receiver, smtp = channels
    env = {**test_env, **production_env(receiver, smtp)}
    receiver.status = 400  # the gateway rejects the number for good
    fenpay(env, "create-staff", "--phone", "13900005503", "--password", "Staff#2026x", "--role", "SUPPORT")
    with run_server(env) as server:
        gql(server, REQUEST_CODE, {"r": "13800005503"})
        assert len(receiver.wait_for(1)) == 1
        token = gql(server, """mutation { login(input: {identifier: "13900005503", password: "Staff#2026x"})
            { auth { accessToken } errors { code } } }""")["login"]["auth"]["accessToken"]
        dead = gql(server, "{ undeliveredMessages { channel recipient purpose attempts lastError } }",
                   token=token)["undeliveredMessages"]
    assert dead == [{"channel": "SMS", "recipient": "138****5503", "purpose": "REGISTER", "attempts": 1,
                     "lastError": "gateway answered 400"}]


@pytest.mark.parametrize(("missing", "message"), [
    ("FENPAY_SMS_PROVIDER", "FENPAY_SMS_PROVIDER must be 'gateway' or 'aliyun' in production mode"),
    ("FENPAY_SMTP_HOST", "FENPAY_SMTP_HOST is required in production mode (email codes and notices)"),
])
def test_production_refuses_to_start_without_a_message_channel(tmp_path, missing, message):
    with HttpReceiver() as receiver, SmtpServer() as smtp:
        env = {**production_env(receiver, smtp), "FENPAY_DATA_DIR": str(tmp_path), missing: ""}
    result = subprocess.run([sys.executable, "-m", "app.cli", "serve"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, **env})
    assert result.returncode == 2
    assert f"fenpay: {message}" in result.stderr.splitlines()
