"""The QR payment flow against a real server: the owner's screen subscribes over a websocket
and sees PAID with the transaction; a stranger's subscription gets an error."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import DEFAULT_PIN, fund, make_merchant, make_staff, make_user, token_for
from tests.harness.server import run_server
from tests.harness.websocket import connect, subscribe
from tests.payments.support import CREATE_QR, PAY_QR

WATCH = """subscription($id: ID!) { paymentQrCodeStatus(qrCodeId: $id) {
  id status amount transaction { transactionNo direction amount counterparty { name } } } }"""


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _post(server, query: str, variables: dict, token: str) -> dict:  # noqa: ANN001
    async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables},
                                     headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    return payload


async def test_the_owner_sees_paid_with_the_transaction(server):
    merchant, owner = await make_merchant("街角咖啡")
    payer = await make_user()
    await fund(payer, 50_00)
    created = await _post(server, CREATE_QR, {"input": {"amount": "18.00"}}, token_for(owner))
    code = created["qrCode"]

    async with connect(server.ws_url, token=token_for(owner)) as ws:
        watch = await subscribe(ws, WATCH, {"id": code["id"]})
        first = (await watch.next_data())["paymentQrCodeStatus"]
        assert (first["id"], first["status"], first["amount"], first["transaction"]) == (
            code["id"], "ACTIVE", "18.00", None)

        paid = await _post(server, PAY_QR, {"input": {"payload": code["payload"], "paymentPassword": DEFAULT_PIN,
                                                      "idempotencyKey": "ws-1"}}, token_for(payer))
        assert paid["errors"] == []

        event = (await watch.next_data())["paymentQrCodeStatus"]
        assert event["status"] == "PAID"
        assert event["transaction"] == {
            "transactionNo": paid["transaction"]["transactionNo"],
            "direction": "IN",
            "amount": "18.00",
            "counterparty": {"name": f"{payer.phone[:3]}****{payer.phone[-4:]}"},
        }


async def test_staff_may_watch_a_code_but_a_stranger_gets_an_error(server):
    _, owner = await make_merchant()
    code = (await _post(server, CREATE_QR, {"input": {}}, token_for(owner)))["qrCode"]
    stranger = await make_user()
    async with connect(server.ws_url, token=token_for(stranger)) as ws:
        watch = await subscribe(ws, WATCH, {"id": code["id"]})
        refused = await watch.next()
        assert refused["type"] == "next" and refused["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["FORBIDDEN"]
        assert (await watch.next())["type"] == "complete"
    async with connect(server.ws_url) as ws:  # no token at all
        refused = await (await subscribe(ws, WATCH, {"id": code["id"]})).next()
        assert refused["type"] == "error"
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["UNAUTHENTICATED"]
    async with connect(server.ws_url, token=token_for(await make_staff("SUPPORT"))) as ws:
        watch = await subscribe(ws, WATCH, {"id": code["id"]})
        assert (await watch.next_data())["paymentQrCodeStatus"]["status"] == "ACTIVE"
