"""The signed third-party webhook: forged, stale and repeated deliveries move nothing twice."""

from __future__ import annotations

import asyncio
import secrets
import time

import orjson

from app.channels import webhooks
from models import Journal
from models.risk import RiskAlert
from models.webhooks import WebhookEvent
from tests.factories import make_user, wallet_balance
from tests.money.support import assert_clean_ledger, top_up

URL = "/webhooks/third-party"


async def _pending(gql, user, amount: str = "30") -> str:  # noqa: ANN001
    return (await top_up(gql, user, amount, channel="THIRD_PARTY"))["transaction"]["transactionNo"]


def _body(reference: str, fen: int, kind: str = "payment.succeeded", event_id: str | None = None) -> bytes:
    return orjson.dumps(
        {"id": event_id or f"evt_{secrets.token_hex(6)}", "type": kind, "reference": reference, "amount": fen}
    )


async def test_correctly_signed_notice_credits_the_wallet(gql, http):
    user = await make_user()
    number = await _pending(gql, user)
    body = _body(number, 3_000)
    response = await http.post(URL, content=body, headers=webhooks.signed_headers(body))
    assert response.status_code == 200 and response.json()["status"] == "processed"
    assert await wallet_balance(user) == (3_000, 0)


async def test_bad_signature_is_refused(gql, http):
    user = await make_user()
    number = await _pending(gql, user)
    body = _body(number, 3_000)
    stamp = str(int(time.time()))
    forged = webhooks.signature(stamp, body, secret="not-the-secret")
    response = await http.post(
        URL, content=body, headers={webhooks.TIMESTAMP_HEADER: stamp, webhooks.SIGNATURE_HEADER: forged}
    )
    assert response.status_code == 401
    # A correct signature over a different body does not carry over either.
    other = _body(number, 3_000)
    response = await http.post(URL, content=other, headers=webhooks.signed_headers(body))
    assert response.status_code == 401
    unsigned = await http.post(URL, content=body)
    assert unsigned.status_code == 401
    assert await wallet_balance(user) == (0, 0)
    assert await WebhookEvent.all().count() == 0


async def test_timestamp_outside_five_minutes_is_refused(gql, http):
    user = await make_user()
    number = await _pending(gql, user)
    body = _body(number, 3_000)
    now = int(time.time())
    for stamp in (now - 301, now + 301):
        response = await http.post(URL, content=body, headers=webhooks.signed_headers(body, timestamp=stamp))
        assert response.status_code == 400, stamp
    assert await wallet_balance(user) == (0, 0)
    inside = await http.post(URL, content=body, headers=webhooks.signed_headers(body, timestamp=now - 290))
    assert inside.status_code == 200
    assert await wallet_balance(user) == (3_000, 0)


async def test_repeated_delivery_acts_once(gql, http):
    user = await make_user()
    number = await _pending(gql, user)
    body = _body(number, 3_000, event_id="evt_repeat")
    headers = webhooks.signed_headers(body)
    statuses = []
    for _ in range(3):
        response = await http.post(URL, content=body, headers=headers)
        assert response.status_code == 200
        statuses.append(response.json()["status"])
    assert statuses == ["processed", "duplicate", "duplicate"]
    assert await wallet_balance(user) == (3_000, 0)
    assert await Journal.all().count() == 1
    await assert_clean_ledger()


async def test_concurrent_deliveries_act_once(gql, http):
    user = await make_user()
    number = await _pending(gql, user)
    # The same event delivered four times at once, and four distinct events for the same payment.
    bodies = [_body(number, 3_000, event_id="evt_same")] * 4 + [_body(number, 3_000) for _ in range(4)]
    responses = await asyncio.gather(
        *(http.post(URL, content=b, headers=webhooks.signed_headers(b)) for b in bodies)
    )
    assert all(r.status_code == 200 for r in responses)
    statuses = [r.json()["status"] for r in responses]
    assert statuses[:4].count("duplicate") == 3
    assert statuses.count("processed") == 1
    assert statuses.count("ignored") == 7 - statuses.count("duplicate")
    assert await wallet_balance(user) == (3_000, 0)
    assert await Journal.all().count() == 1
    await assert_clean_ledger()


async def test_amount_or_reference_that_does_not_match_moves_nothing(gql, http):
    user = await make_user()
    number = await _pending(gql, user)
    wrong_amount = _body(number, 300_000)
    response = await http.post(URL, content=wrong_amount, headers=webhooks.signed_headers(wrong_amount))
    assert response.status_code == 422
    assert await RiskAlert.filter(type="CHANNEL_AMOUNT_MISMATCH").count() == 1
    unknown = _body("T20260101000000000000", 3_000)
    response = await http.post(URL, content=unknown, headers=webhooks.signed_headers(unknown))
    assert response.status_code == 404
    malformed = b'{"id": "evt_x", "type": "payment.succeeded"}'
    response = await http.post(URL, content=malformed, headers=webhooks.signed_headers(malformed))
    assert response.status_code == 400
    assert await wallet_balance(user) == (0, 0)


async def test_a_third_party_notice_cannot_confirm_an_offline_deposit(gql, http):
    user = await make_user()
    tx = (await top_up(gql, user, "100", channel="OFFLINE"))["transaction"]
    from models import Transaction

    reference = (await Transaction.get(transaction_no=tx["transactionNo"])).external_ref
    as_payment = _body(reference, 10_000)
    response = await http.post(URL, content=as_payment, headers=webhooks.signed_headers(as_payment))
    assert response.status_code == 404
    as_deposit_on_wrong_route = _body(reference, 10_000, kind="deposit.received")
    response = await http.post(
        URL, content=as_deposit_on_wrong_route, headers=webhooks.signed_headers(as_deposit_on_wrong_route)
    )
    assert response.status_code == 400
    assert await wallet_balance(user) == (0, 0)
    notice = as_deposit_on_wrong_route
    response = await http.post("/webhooks/offline-deposits", content=notice, headers=webhooks.signed_headers(notice))
    assert response.status_code == 200
    assert await wallet_balance(user) == (10_000, 0)
