"""Forged and replayed provider webhooks: whatever an attacker sends, a pending third-party
top-up is credited at most once, and only by a correctly signed, fresh notification."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time

import httpx
import orjson
import pytest

from app import runtime
from app.channels import webhooks
from app.ledger.reconcile import reconcile
from models import Journal, Transaction
from tests.factories import make_user, wallet_balance
from tests.money.support import top_up

URL = "/webhooks/third-party"


def _body(reference: str, fen: int, kind: str = "payment.succeeded", event_id: str | None = None) -> bytes:
    return orjson.dumps({"id": event_id or f"evt_{secrets.token_hex(6)}", "type": kind, "reference": reference,
                         "amount": fen})


def _sign(body: bytes, stamp: int, secret: str | None = None) -> dict[str, str]:
    key = (secret if secret is not None else runtime.settings().webhook_secret).encode()
    mac = hmac.new(key, str(stamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return {webhooks.TIMESTAMP_HEADER: str(stamp), webhooks.SIGNATURE_HEADER: mac}


async def _pending(gql, user) -> str:  # noqa: ANN001
    return (await top_up(gql, user, "30", channel="THIRD_PARTY"))["transaction"]["transactionNo"]


def _forgeries(number: str) -> dict[str, tuple[bytes, dict[str, str]]]:
    now = int(time.time())
    body = _body(number, 3_000)
    signed = _sign(body, now)
    return {
        "no signature": (body, {}),
        "wrong secret": (body, _sign(body, now, secret="guessed-secret")),
        "empty secret": (body, _sign(body, now, secret="")),
        "signature of another body": (body, _sign(_body(number, 3_000), now)),
        "amount changed after signing": (_body(number, 300_000), signed),
        "timestamp changed after signing": (body, {**signed, webhooks.TIMESTAMP_HEADER: str(now + 1)}),
        "signature truncated": (body, {**signed, webhooks.SIGNATURE_HEADER: signed[webhooks.SIGNATURE_HEADER][:32]}),
        "stale by ten minutes": (body, _sign(body, now - 600)),
        "from the future": (body, _sign(body, now + 600)),
        "timestamp not a number": (body, {**_sign(body, now), webhooks.TIMESTAMP_HEADER: "now"}),
        "timestamp huge": (body, _sign(body, 10**15)),
        "negative timestamp": (body, {**_sign(body, now), webhooks.TIMESTAMP_HEADER: "-1"}),
        "signed garbage": (b"{not json", _sign(b"{not json", now)),
        "signed array": (b"[1]", _sign(b"[1]", now)),
        "signed wrong type": (_body(number, 3_000, kind="deposit.received"),
                              _sign(_body(number, 3_000, kind="deposit.received"), now)),
        "signed amount as string": (orjson.dumps({"id": "e1", "type": "payment.succeeded", "reference": number,
                                                  "amount": "3000"}),
                                    _sign(orjson.dumps({"id": "e1", "type": "payment.succeeded",
                                                        "reference": number, "amount": "3000"}), now)),
        "signed wrong amount": (_body(number, 300_000), _sign(_body(number, 300_000), now)),
        "signed unknown reference": (_body("T-NOPE", 3_000), _sign(_body("T-NOPE", 3_000), now)),
        "oversized": (b" " * (webhooks.MAX_BODY_BYTES + 1), _sign(b" " * (webhooks.MAX_BODY_BYTES + 1), now)),
    }


async def _moved(user) -> tuple:  # noqa: ANN001
    return await wallet_balance(user), await Journal.all().count()


FORGERY_NAMES = [
    "no signature", "wrong secret", "empty secret", "signature of another body", "amount changed after signing",
    "timestamp changed after signing", "signature truncated", "stale by ten minutes", "from the future",
    "timestamp not a number", "timestamp huge", "negative timestamp", "signed garbage", "signed array",
    "signed wrong type", "signed amount as string", "signed wrong amount", "signed unknown reference", "oversized",
]


@pytest.mark.parametrize("name", FORGERY_NAMES)
async def test_forged_or_stale_notifications_move_nothing(gql, http, name):
    user = await make_user()
    number = await _pending(gql, user)
    before = await _moved(user)
    body, headers = _forgeries(number)[name]
    response = await http.post(URL, content=body, headers=headers)
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
    assert await _moved(user) == before, name
    assert (await Transaction.get(transaction_no=number)).status == "PENDING"


async def test_a_replayed_notification_credits_once(gql, http):
    user = await make_user()
    number = await _pending(gql, user)
    body = _body(number, 3_000)
    headers = webhooks.signed_headers(body)
    first = await http.post(URL, content=body, headers=headers)
    assert first.json()["status"] == "processed"
    replies = [await http.post(URL, content=body, headers=headers) for _ in range(5)]
    assert {r.json()["status"] for r in replies} == {"duplicate"}
    # A fresh event id for the same payment (a provider resending under a new id) moves nothing either.
    again = _body(number, 3_000)
    assert (await http.post(URL, content=again, headers=webhooks.signed_headers(again))).json()["status"] == "ignored"
    # Nor does a late "failed" for the same payment.
    failed = _body(number, 3_000, kind="payment.failed")
    await http.post(URL, content=failed, headers=webhooks.signed_headers(failed))
    assert await wallet_balance(user) == (3_000, 0)
    assert (await Transaction.get(transaction_no=number)).status == "SUCCEEDED"
    assert (await reconcile()).clean


async def test_a_replay_flood_over_a_real_server_credits_once(gql, live_server):
    user = await make_user()
    number = await _pending(gql, user)
    body = _body(number, 3_000)
    headers = webhooks.signed_headers(body)
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=30) as client:
        replies = await asyncio.gather(*(client.post(URL, content=body, headers=headers) for _ in range(20)))
        others = [_body(number, 3_000) for _ in range(5)]
        replies += await asyncio.gather(*(client.post(URL, content=b, headers=webhooks.signed_headers(b))
                                          for b in others))
    statuses = [r.json().get("status") for r in replies if r.status_code == 200]
    assert statuses.count("processed") == 1, statuses
    assert all(r.status_code < 500 for r in replies)
    assert await wallet_balance(user) == (3_000, 0)
    assert await Journal.filter(transaction_id=(await Transaction.get(transaction_no=number)).id,
                                kind="POST").count() == 1
    assert (await reconcile()).clean
