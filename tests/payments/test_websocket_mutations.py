"""Mutations sent over a long-lived websocket see the user as they are now, not as they were
when the socket opened: the viewer is reloaded for every operation."""

from __future__ import annotations

import pytest

from models import User
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.server import run_server
from tests.harness.websocket import connect, subscribe
from tests.payments.support import PAY


@pytest.fixture(scope="module")
def server(test_env, platform):  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


def _pay(merchant_no: str, key: str) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": "10.00", "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}}


async def test_a_user_frozen_after_the_socket_opened_cannot_pay_over_it(server):
    merchant, _ = await make_merchant("夜市小吃")
    payer = await make_user()
    await fund(payer, 100_00)

    async with connect(server.ws_url, token=token_for(payer)) as ws:
        first = await (await subscribe(ws, PAY, _pay(merchant.merchant_no, "ws-pay-1"), op_id="a")).next_data()
        assert first["pay"]["errors"] == []
        assert await wallet_balance(payer) == (90_00, 0)

        await User.filter(id=payer.id).update(status="FROZEN", status_reason="核查")
        second = await (await subscribe(ws, PAY, _pay(merchant.merchant_no, "ws-pay-2"), op_id="b")).next_data()
        assert [e["code"] for e in second["pay"]["errors"]] == ["ACCOUNT_FROZEN"]
        assert await wallet_balance(payer) == (90_00, 0)
