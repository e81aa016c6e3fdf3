"""The merchant platform core against a real server (uvicorn subprocess, 2 workers on
PostgreSQL + Redis when configured): the orderStatus subscription with an API key in
connection_init, a payment-code charge confirmed by a payer told over a websocket, and the
concurrency guarantees (20 concurrent refunds of one order; 2 tills charging one code)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from app.ledger.reconcile import reconcile
from models import Transaction
from models.merchant_platform import Order
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.server import run_server
from tests.harness.websocket import connect, subscribe

from .core_support import (
    CHARGE,
    CONFIRM,
    CREATE_KEY,
    CREATE_ORDER,
    ENABLE_CODE,
    PAY_QR,
    REFUND,
    key_auth,
)

ORDER_STATUS = """subscription($no: String!) { orderStatus(outTradeNo: $no) {
  outTradeNo status fee transaction { amount direction } } }"""
CODE_ONLY = "{ paymentCode { code } }"
CHARGES = "subscription { paymentCodeCharges { id outTradeNo status amount } }"


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    # Two worker processes on PostgreSQL + Redis (as `fenpay serve --workers 2`); SQLite serves one.
    workers = "2" if "postgres" in test_env["FENPAY_DATABASE_URL"] else "1"
    with run_server(test_env, extra_env={"WEB_CONCURRENCY": workers}) as srv:
        yield srv


async def _post(server: Any, query: str, variables: dict, headers: dict[str, str]) -> dict:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    return payload


def _user(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user)}"}


async def _merchant_key(server: Any) -> tuple[Any, str]:
    merchant, owner = await make_merchant()
    created = await _post(server, CREATE_KEY, {"input": {"merchantNo": merchant.merchant_no, "name": "till",
                                                         "scopes": ["ORDERS", "REFUNDS"], "paymentPassword": DEFAULT_PIN}},
                          _user(owner))
    return merchant, created["secret"]


async def test_the_merchant_server_is_told_over_order_status_when_the_payer_scans(server):
    _, secret = await _merchant_key(server)
    payer = await make_user()
    await fund(payer, 100_00)
    order = (await _post(server, CREATE_ORDER, {"input": {"outTradeNo": "WS-1", "amount": "42.00"}},
                         key_auth(secret)))["order"]
    async with connect(server.ws_url, token=secret) as ws:
        watch = await subscribe(ws, ORDER_STATUS, {"no": "WS-1"})
        first = (await watch.next_data())["orderStatus"]
        assert (first["status"], first["transaction"]) == ("CREATED", None)
        paid = await _post(server, PAY_QR, {"input": {"payload": order["qrPayload"], "paymentPassword": DEFAULT_PIN,
                                                      "idempotencyKey": "ws-pay"}}, _user(payer))
        assert paid["errors"] == []
        event = (await watch.next_data())["orderStatus"]
        assert event == {"outTradeNo": "WS-1", "status": "PAID", "fee": "0.25",
                         "transaction": {"amount": "42.00", "direction": "IN"}}
        # The socket stays open across the session re-checks while the key lives.
        again = await subscribe(ws, ORDER_STATUS, {"no": "WS-1"}, op_id="2")
        assert (await again.next_data())["orderStatus"]["status"] == "PAID"
    # An unknown (or revoked) key is refused at connection_init.
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {secret}x"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_charge_above_the_limit_is_pushed_to_the_payer_who_confirms(server):
    _, secret = await _merchant_key(server)
    payer = await make_user()
    await fund(payer, 3_000_00)
    assert (await _post(server, ENABLE_CODE, {"pin": DEFAULT_PIN}, _user(payer)))["errors"] == []
    code = (await _post(server, CODE_ONLY, {}, _user(payer)))["code"]
    big = await _post(server, CHARGE, {"input": {"code": code, "amount": "1500.00", "outTradeNo": "PC-1"}},
                      key_auth(secret))
    assert big["order"]["status"] == "AWAITING_CONFIRMATION"
    async with connect(server.ws_url, token=token_for(payer)) as ws:
        charges = await subscribe(ws, CHARGES)
        # The app opening its payment-code screen sees the charge waiting for it.
        told = (await charges.next_data())["paymentCodeCharges"]
        assert (told["outTradeNo"], told["status"], told["amount"]) == ("PC-1", "AWAITING_CONFIRMATION", "1500.00")
        # A small charge meanwhile: paid at once, and the payer is told.
        code = (await _post(server, CODE_ONLY, {}, _user(payer)))["code"]
        small = await _post(server, CHARGE, {"input": {"code": code, "amount": "8.00", "outTradeNo": "PC-2"}},
                            key_auth(secret))
        assert small["order"]["status"] == "PAID"
        pushed = (await charges.next_data())["paymentCodeCharges"]
        assert (pushed["outTradeNo"], pushed["status"]) == ("PC-2", "PAID")
        # The payer confirms the big one over the same websocket and is told it is paid.
        async with connect(server.ws_url, token=token_for(payer)) as app_ws:  # the app's own socket
            confirm = await subscribe(app_ws, CONFIRM, {"input": {"orderId": told["id"], "paymentPassword": DEFAULT_PIN}})
            confirmed = (await confirm.next_data())["confirmPaymentCodeCharge"]
        assert confirmed["errors"] == [] and confirmed["order"]["status"] == "PAID"
        pushed = (await charges.next_data())["paymentCodeCharges"]
        assert (pushed["outTradeNo"], pushed["status"]) == ("PC-1", "PAID")
    assert await wallet_balance(payer) == (3_000_00 - 8_00 - 1_500_00, 0)


async def test_20_concurrent_refunds_of_one_order_never_refund_more_than_it(server):
    _, secret = await _merchant_key(server)
    payer = await make_user()
    await fund(payer, 100_00)
    order = (await _post(server, CREATE_ORDER, {"input": {"outTradeNo": "CR-1", "amount": "60.00"}},
                         key_auth(secret)))["order"]
    await _post(server, PAY_QR, {"input": {"payload": order["qrPayload"], "paymentPassword": DEFAULT_PIN,
                                           "idempotencyKey": "cr-pay"}}, _user(payer))

    async def refund(i: int) -> list[str]:
        payload = await _post(server, REFUND, {"input": {"outTradeNo": "CR-1", "outRefundNo": f"CR-R{i}",
                                                         "amount": "7.00"}}, key_auth(secret))
        return [e["code"] for e in payload["errors"]]

    outcomes = await asyncio.gather(*(refund(i) for i in range(20)))
    assert sum(1 for o in outcomes if o == []) == 8  # 8 x 7.00 = 56.00 <= 60.00 < 63.00
    assert all(o in ([], ["REFUND_EXCEEDS_REMAINING"]) for o in outcomes), outcomes
    original = await Transaction.get(type="PAYMENT", account__user_id=payer.id)
    assert original.refunded_amount == 56_00
    assert await wallet_balance(payer) == (100_00 - 60_00 + 56_00, 0)
    assert (await reconcile()).clean


async def test_two_tills_charging_the_same_code_make_one_charge(server):
    _, secret = await _merchant_key(server)
    payer = await make_user()
    await fund(payer, 500_00)
    assert (await _post(server, ENABLE_CODE, {"pin": DEFAULT_PIN}, _user(payer)))["errors"] == []
    for round_no in range(2):  # the second round charges the next step's code (now + 1)
        code = (await _post(server, CODE_ONLY, {}, _user(payer)))["code"]
        results = await asyncio.gather(*(
            _post(server, CHARGE, {"input": {"code": code, "amount": "10.00", "outTradeNo": f"TILL-{round_no}-{i}"}},
                  key_auth(secret))
            for i in range(2)
        ))
        outcomes = sorted(tuple(e["code"] for e in r["errors"]) for r in results)
        assert outcomes == [(), ("PAYMENT_CODE_INVALID",)], results
    assert await Order.filter(payer_user_id=payer.id, status="PAID").count() == 2
    assert await wallet_balance(payer) == (500_00 - 20_00, 0)
    assert (await reconcile()).clean


async def test_two_tills_at_once_cannot_both_stay_under_the_daily_password_free_limit(server):
    """Two valid codes (this step's and the next) charged at once for 600.00 each: the day's
    password-free total is read under the payer's wallet lock, so only one is paid without the
    payer (the limit is 1,000.00)."""
    import pyotp

    from app import clock
    from app.merchant_platform.payment_code import STEP_SECONDS, step_of

    _, secret = await _merchant_key(server)
    payer = await make_user()
    await fund(payer, 2_000_00)
    enabled = await _post(server, ENABLE_CODE, {"pin": DEFAULT_PIN}, _user(payer))
    code = (await _post(server, CODE_ONLY, {}, _user(payer)))["code"]
    next_step = step_of(clock.now()) + 1
    next_code = code[:10] + pyotp.TOTP(enabled["secret"], digits=8, interval=STEP_SECONDS).at(next_step * STEP_SECONDS)
    results = await asyncio.gather(*(
        _post(server, CHARGE, {"input": {"code": c, "amount": "600.00", "outTradeNo": f"FREE-{i}"}}, key_auth(secret))
        for i, c in enumerate((code, next_code))
    ))
    # Exactly one is paid without the payer. The other waits for the payer when its code was
    # still unused; when the later step's code won the race, the earlier code is spent (codes
    # only move forward) and that charge is refused. Either way the limit holds.
    outcomes = sorted(r["order"]["status"] if r["order"] else r["errors"][0]["code"] for r in results)
    assert outcomes in (["AWAITING_CONFIRMATION", "PAID"], ["PAID", "PAYMENT_CODE_INVALID"]), results
    assert await wallet_balance(payer) == (2_000_00 - 600_00, 0)
    assert (await reconcile()).clean


async def test_paying_one_order_twice_at_once_with_money_for_once_answers_paid_not_insufficient_funds(server):
    """Review finding: of two concurrent payments of one order by a payer whose balance covers one,
    the loser failed its balance check (made before the order's claim) and answered
    INSUFFICIENT_FUNDS though the order was paid. Now: a charge confirmed twice answers PAID both
    times, a QR order paid twice answers QR_CODE_USED to the loser; money moves once."""
    _, secret = await _merchant_key(server)
    payer = await make_user()
    await fund(payer, 1_500_00)
    assert (await _post(server, ENABLE_CODE, {"pin": DEFAULT_PIN}, _user(payer)))["errors"] == []
    code = (await _post(server, CODE_ONLY, {}, _user(payer)))["code"]
    charged = await _post(server, CHARGE, {"input": {"code": code, "amount": "1200.00", "outTradeNo": "TWICE-1"}},
                          key_auth(secret))
    assert charged["order"]["status"] == "AWAITING_CONFIRMATION", charged
    for round_no in range(3):  # the race is not forced: a few rounds make the loser's path likely
        results = await asyncio.gather(*(
            _post(server, CONFIRM, {"input": {"orderId": charged["order"]["id"], "paymentPassword": DEFAULT_PIN}},
                  _user(payer))
            for _ in range(4)
        ))
        assert [r["errors"] for r in results] == [[]] * 4, (round_no, results)
        assert {r["order"]["status"] for r in results} == {"PAID"}
    assert await wallet_balance(payer) == (300_00, 0)

    order = (await _post(server, CREATE_ORDER, {"input": {"outTradeNo": "TWICE-2", "amount": "300.00"}},
                         key_auth(secret)))["order"]
    results = await asyncio.gather(*(
        _post(server, PAY_QR, {"input": {"payload": order["qrPayload"], "paymentPassword": DEFAULT_PIN,
                                         "idempotencyKey": f"twice-{i}"}}, _user(payer))
        for i in range(4)
    ))
    outcomes = sorted(r["errors"][0]["code"] if r["errors"] else "PAID" for r in results)
    assert outcomes == ["PAID", "QR_CODE_USED", "QR_CODE_USED", "QR_CODE_USED"], results
    assert await wallet_balance(payer) == (0, 0)
    assert (await reconcile()).clean
