"""The completion registry: webhooks and expiry reach the handlers a capability registers."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from app import clock
from app.channels import completions, webhooks
from app.funding.expiry import expire_stale_pending
from app.ledger.accounts import wallet_of
from app.ledger.numbers import new_number
from models import AuditRecord, Transaction
from models.webhooks import WebhookEvent
from tests.factories import fund, make_user
from tests.money.support import withdraw


async def _pending_payment(user) -> Transaction:  # noqa: ANN001
    wallet = await wallet_of(user.id)
    number = new_number("T")
    return await Transaction.create(
        transaction_no=number, type="PAYMENT", status="PENDING", channel="THIRD_PARTY", amount=2_500,
        account_id=wallet.id, external_ref=number,
    )


def _signed(reference: str, kind: str = "payment.succeeded", event_id: str = "evt_pay") -> tuple[bytes, dict]:
    body = orjson.dumps({"id": event_id, "type": kind, "reference": reference, "amount": 2_500})
    return body, webhooks.signed_headers(body)


@pytest.fixture
def payment_handlers(monkeypatch):  # noqa: ANN001, ANN201
    calls: list[tuple[str, int]] = []

    async def succeeded(transaction_id: int) -> bool:
        calls.append(("succeeded", transaction_id))
        return await Transaction.filter(id=transaction_id, status="PENDING").update(status="SUCCEEDED") == 1

    async def failed(transaction_id: int) -> None:
        calls.append(("failed", transaction_id))
        await Transaction.filter(id=transaction_id, status="PENDING").update(status="FAILED")

    monkeypatch.setitem(completions.HANDLERS, "PAYMENT", completions.Handlers(succeeded, failed))
    return calls


async def test_webhook_reaches_the_registered_handler_once(http, payment_handlers):
    user = await make_user()
    tx = await _pending_payment(user)
    body, headers = _signed(tx.transaction_no)
    first = await http.post("/webhooks/third-party", content=body, headers=headers)
    again = await http.post("/webhooks/third-party", content=body, headers=headers)
    assert (first.json()["status"], again.json()["status"]) == ("processed", "duplicate")
    assert payment_handlers == [("succeeded", tx.id)]
    other_event = _signed(tx.transaction_no, event_id="evt_other")
    late = await http.post("/webhooks/third-party", content=other_event[0], headers=other_event[1])
    assert late.json()["status"] == "ignored"
    assert payment_handlers == [("succeeded", tx.id)]  # a finished payment is not offered again


async def test_expiry_calls_the_failure_handler(payment_handlers):
    user = await make_user()
    tx = await _pending_payment(user)
    assert await expire_stale_pending(clock.now() + timedelta(minutes=10)) == 0
    assert await expire_stale_pending(clock.now() + timedelta(minutes=31)) == 1
    assert payment_handlers == [("failed", tx.id)]
    assert (await Transaction.get(id=tx.id)).status == "FAILED"


async def test_a_type_without_handlers_is_refused_and_can_be_retried(http, monkeypatch):
    monkeypatch.delitem(completions.HANDLERS, "PAYMENT", raising=False)
    user = await make_user()
    tx = await _pending_payment(user)
    body, headers = _signed(tx.transaction_no)
    response = await http.post("/webhooks/third-party", content=body, headers=headers)
    assert response.status_code == 422
    assert await WebhookEvent.all().count() == 0  # not swallowed: the provider's retry can still land
    assert (await Transaction.get(id=tx.id)).status == "PENDING"


async def test_withdrawal_leaves_an_audit_record(gql):
    user = await make_user()
    await fund(user, 20_000)
    tx = (await withdraw(gql, user, "100", channel="THIRD_PARTY"))["transaction"]
    record = await AuditRecord.get(action="WITHDRAWAL_REQUESTED", actor_id=user.id)
    assert record.ip == "127.0.0.7"
    assert record.details == {
        "transactionNo": tx["transactionNo"], "amount": 10_000, "fee": 100, "channel": "THIRD_PARTY",
    }
