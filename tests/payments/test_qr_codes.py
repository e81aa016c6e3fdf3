"""Payment QR codes: creation, single use, expiry, open amounts, visibility."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from app import clock
from app.jobs.registry import run_once
from app.ledger.reconcile import reconcile
from app.payments import qr_codes
from app.payments.qr_events import qr_code_topic
from models import OutboxEvent, Transaction
from models.payments import PaymentQrCode
from schema.node import to_global_id
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_staff, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import CREATE_QR, PAY_QR, merchant_balance

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)

NODE = """query($id: ID!) { node(id: $id) { ... on PaymentQrCode { status amount transaction {
  direction amount counterparty { name } } } } }"""


def pay_qr_input(payload: str, key: str = "q1", amount: str | None = None) -> dict:
    data = {"payload": payload, "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}
    if amount is not None:
        data["amount"] = amount
    return {"input": data}


async def _create(gql, owner, **fields) -> dict:  # noqa: ANN001
    payload = await gql.mutate(CREATE_QR, {"input": fields}, token=token_for(owner))
    assert payload["errors"] == [], payload
    return payload["qrCode"]


async def test_owner_creates_fixed_and_open_codes(gql):
    clock.set_now(NOW)
    merchant, owner = await make_merchant("街角咖啡")
    fixed = await _create(gql, owner, amount="18.00", description="美式咖啡")
    assert fixed["amount"] == "18.00" and fixed["description"] == "美式咖啡" and fixed["status"] == "ACTIVE"
    assert fixed["merchant"] == {"merchantNo": merchant.merchant_no, "name": "街角咖啡"}
    assert datetime.fromisoformat(fixed["expiresAt"]) == NOW + timedelta(seconds=300)
    assert fixed["payload"].startswith("fenpay://pay?c=") and len(fixed["payload"]) > len("fenpay://pay?c=") + 20
    assert fixed["svg"].lstrip().startswith("<svg") and "</svg>" in fixed["svg"]
    assert fixed["transaction"] is None

    open_code = await _create(gql, owner, expiresInSeconds=86400)
    assert open_code["amount"] is None
    assert datetime.fromisoformat(open_code["expiresAt"]) == NOW + timedelta(days=1)
    assert open_code["payload"] != fixed["payload"]


async def test_code_creation_refusals(gql):
    merchant, owner = await make_merchant()
    token = token_for(owner)
    for fields, code, field in (
        ({"expiresInSeconds": 86401}, "VALIDATION_FAILED", "expiresInSeconds"),
        ({"expiresInSeconds": 0}, "VALIDATION_FAILED", "expiresInSeconds"),
        ({"amount": "0.00"}, "INVALID_AMOUNT", "amount"),
    ):
        payload = await gql.mutate(CREATE_QR, {"input": fields}, token=token)
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, ["input", field])]
    assert await PaymentQrCode.all().count() == 0
    # Only merchants (by role) create codes; anonymous callers are not signed in.
    assert (await gql(CREATE_QR, {"input": {}}, token=token_for(await make_user()))).error_codes() == ["FORBIDDEN"]
    assert (await gql(CREATE_QR, {"input": {}})).error_codes() == ["UNAUTHENTICATED"]


async def test_a_fixed_amount_code_is_paid_once(gql):
    merchant, owner = await make_merchant("街角咖啡")
    code = await _create(gql, owner, amount="18.00")
    payer, second = await make_user(), await make_user()
    await fund(payer, 50_00)
    await fund(second, 50_00)

    paid = await gql.mutate(PAY_QR, pay_qr_input(code["payload"]), token=token_for(payer))
    assert paid["errors"] == []
    tx = paid["transaction"]
    assert (tx["type"], tx["channel"], tx["amount"], tx["direction"]) == ("PAYMENT", "WALLET_BALANCE", "18.00", "OUT")
    assert tx["counterparty"]["name"] == "街角咖啡"
    assert await wallet_balance(payer) == (32_00, 0) and await merchant_balance(merchant) == 18_00

    used = await gql.mutate(PAY_QR, pay_qr_input(code["payload"], key="q2"), token=token_for(second))
    assert [(e["code"], e["field"]) for e in used["errors"]] == [("QR_CODE_USED", ["input", "payload"])]
    again = await gql.mutate(PAY_QR, pay_qr_input(code["payload"], key="q3"), token=token_for(payer))
    assert user_error_codes(again) == ["QR_CODE_USED"]
    # A replay of the paying request still answers with its transaction.
    replay = await gql.mutate(PAY_QR, pay_qr_input(code["payload"]), token=token_for(payer))
    assert replay["errors"] == [] and replay["transaction"]["transactionNo"] == tx["transactionNo"]
    assert await wallet_balance(second) == (50_00, 0) and await merchant_balance(merchant) == 18_00

    # The owner sees the code PAID with the payment, incoming from the payer's masked phone.
    seen = await gql.ok(NODE, {"id": code["id"]}, token=token_for(owner))
    assert seen["node"]["status"] == "PAID"
    assert seen["node"]["transaction"] == {"direction": "IN", "amount": "18.00",
                                           "counterparty": {"name": f"{payer.phone[:3]}****{payer.phone[-4:]}"}}
    event = await OutboxEvent.filter(topic=qr_code_topic(int((await PaymentQrCode.first()).id))).first()
    assert event.payload["status"] == "PAID"
    assert event.payload["transactionId"] == (await Transaction.get(transaction_no=tx["transactionNo"])).id
    assert (await reconcile()).clean


async def test_the_amount_of_a_fixed_code_cannot_be_changed(gql):
    merchant, owner = await make_merchant()
    code = await _create(gql, owner, amount="18.00")
    payer = await make_user()
    await fund(payer, 50_00)
    payload = await gql.mutate(PAY_QR, pay_qr_input(code["payload"], amount="1.00"), token=token_for(payer))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION_FAILED", ["input", "amount"])]
    same = await gql.mutate(PAY_QR, pay_qr_input(code["payload"], key="q2", amount="18"), token=token_for(payer))
    assert same["errors"] == [] and await merchant_balance(merchant) == 18_00


async def test_an_expired_code_cannot_be_paid(gql):
    clock.set_now(NOW)
    merchant, owner = await make_merchant()
    code = await _create(gql, owner, amount="5.00", expiresInSeconds=60)
    payer = await make_user()
    await fund(payer, 50_00)
    clock.set_now(NOW + timedelta(seconds=60))
    payload = await gql.mutate(PAY_QR, pay_qr_input(code["payload"]), token=token_for(payer))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("QR_CODE_EXPIRED", ["input", "payload"])]
    assert await wallet_balance(payer) == (50_00, 0) and await merchant_balance(merchant) == 0
    assert (await gql.ok(NODE, {"id": code["id"]}, token=token_for(owner)))["node"]["status"] == "EXPIRED"


async def test_a_code_paid_just_before_expiry_works(gql):
    clock.set_now(NOW)
    merchant, owner = await make_merchant()
    code = await _create(gql, owner, amount="5.00", expiresInSeconds=60)
    payer = await make_user()
    await fund(payer, 50_00)
    clock.set_now(NOW + timedelta(seconds=59))
    payload = await gql.mutate(PAY_QR, pay_qr_input(code["payload"]), token=token_for(payer))
    assert payload["errors"] == []


async def test_the_expiry_job_marks_codes_expired_and_tells_watchers(gql):
    clock.set_now(NOW)
    _, owner = await make_merchant()
    stale = await _create(gql, owner, amount="5.00", expiresInSeconds=30)
    fresh = await _create(gql, owner, amount="5.00", expiresInSeconds=600)
    results = dict(await run_once(NOW + timedelta(seconds=31)))
    assert results["payment-qr-expiry"] == "expired 1 payment QR codes"
    rows = {c.id: c.status for c in await PaymentQrCode.all()}
    assert sorted(rows.values()) == ["ACTIVE", "EXPIRED"]
    stale_id = next(i for i, s in rows.items() if s == "EXPIRED")
    assert to_global_id("PaymentQrCode", stale_id) == stale["id"] != fresh["id"]
    event = await OutboxEvent.get(topic=qr_code_topic(stale_id))
    assert event.payload == {"qrCodeId": stale_id, "status": "EXPIRED", "transactionId": None}
    assert dict(await run_once(NOW + timedelta(seconds=32)))["payment-qr-expiry"] == "expired 0 payment QR codes"


async def test_an_open_code_takes_the_payers_amount_and_many_payments(gql):
    merchant, owner = await make_merchant()
    code = await _create(gql, owner, description="收款码")
    alice, bob = await make_user(), await make_user()
    await fund(alice, 50_00)
    await fund(bob, 50_00)
    missing = await gql.mutate(PAY_QR, pay_qr_input(code["payload"]), token=token_for(alice))
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("VALIDATION_FAILED", ["input", "amount"])]
    first = await gql.mutate(PAY_QR, pay_qr_input(code["payload"], amount="12.30"), token=token_for(alice))
    second = await gql.mutate(PAY_QR, pay_qr_input(code["payload"], amount="7.70"), token=token_for(bob))
    assert first["errors"] == [] == second["errors"]
    assert first["transaction"]["description"] == "收款码"
    assert await merchant_balance(merchant) == 20_00
    seen = await gql.ok(NODE, {"id": code["id"]}, token=token_for(owner))
    assert seen["node"]["status"] == "PAID" and seen["node"]["amount"] is None
    assert seen["node"]["transaction"]["amount"] == "7.70"  # the latest payment


async def test_unknown_payloads_are_not_found(gql):
    payer = await make_user()
    for payload_text in ("fenpay://pay?c=nope", "https://evil.example/pay", ""):
        payload = await gql.mutate(PAY_QR, pay_qr_input(payload_text), token=token_for(payer))
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", ["input", "payload"])]


async def test_node_shows_a_code_to_its_owner_and_staff_only(gql):
    _, owner = await make_merchant()
    code = await _create(gql, owner, amount="1.00")
    for viewer in (owner, await make_staff("SUPPORT")):
        assert (await gql.ok(NODE, {"id": code["id"]}, token=token_for(viewer)))["node"]["status"] == "ACTIVE"
    other_merchant_owner = (await make_merchant("别家"))[1]
    for token in (token_for(await make_user()), token_for(other_merchant_owner), None):
        assert (await gql.ok(NODE, {"id": code["id"]}, token=token))["node"] is None


async def test_two_payers_racing_for_one_fixed_code_one_wins(gql):
    merchant, owner = await make_merchant()
    code = await _create(gql, owner, amount="9.00")
    payers = [await make_user() for _ in range(4)]
    for payer in payers:
        await fund(payer, 10_00)
    results = await asyncio.gather(*(
        gql.mutate(PAY_QR, pay_qr_input(code["payload"], key=f"race-{i}"), token=token_for(p))
        for i, p in enumerate(payers)
    ))
    codes = sorted(tuple(user_error_codes(r)) for r in results)
    assert codes == [(), ("QR_CODE_USED",), ("QR_CODE_USED",), ("QR_CODE_USED",)]
    assert await merchant_balance(merchant) == 9_00
    assert sorted([await wallet_balance(p) for p in payers]) == [(1_00, 0)] + [(10_00, 0)] * 3
    assert (await reconcile()).clean


async def test_svg_encodes_the_payload():
    svg = qr_codes.svg_of("fenpay://pay?c=abc")
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert qr_codes.svg_of("fenpay://pay?c=abd") != svg
