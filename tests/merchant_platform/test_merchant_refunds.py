"""Merchant refunds: keyed by outRefundNo, up to what remains, from the merchant account's
balance, back to the payer's balance at once, the fee returned pro rata, no staff review."""

from __future__ import annotations

import asyncio

from app.ledger.accounts import balance_of, system_account
from app.ledger.reconcile import reconcile
from models import Transaction
from models.merchant_platform_events import MerchantEvent
from tests.factories import fund, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import merchant_balance

from .core_support import ORDER, REFUND, create_order, key_auth, merchant_with_key, pay_order


async def _paid_order(gql, amount: str = "100.00", out_trade_no: str = "P-1"):  # noqa: ANN001, ANN202
    merchant, owner, secret = await merchant_with_key(gql)
    payer = await make_user()
    await fund(payer, 1_000_00)
    order = await create_order(gql, secret, out_trade_no, amount)
    assert (await pay_order(gql, payer, order))["errors"] == []
    return merchant, owner, secret, payer


def _refund(out_refund_no: str, amount: str, out_trade_no: str = "P-1", **extra) -> dict:  # noqa: ANN003
    return {"input": {"outTradeNo": out_trade_no, "outRefundNo": out_refund_no, "amount": amount, **extra}}


async def test_a_partial_refund_goes_back_to_the_payer_with_the_fee_pro_rata(gql):
    merchant, _, secret, payer = await _paid_order(gql)  # fee 0.60, merchant holds 99.40
    fee_income = await system_account("FEE_INCOME")
    assert (await balance_of(fee_income)).available == 60
    done = await gql.mutate(REFUND, _refund("R-1", "30.00", reason="少一件"), headers=key_auth(secret))
    assert done["errors"] == []
    assert (done["refund"]["status"], done["refund"]["amount"], done["refund"]["order"]) == (
        "SUCCEEDED", "30.00", {"outTradeNo": "P-1", "refundedAmount": "30.00"})
    assert await wallet_balance(payer) == (1_000_00 - 100_00 + 30_00, 0)
    # 30 % of the 0.60 fee (0.18) comes back from fee income; the merchant gives 29.82.
    assert (await balance_of(fee_income)).available == 60 - 18
    assert await merchant_balance(merchant) == 99_40 - 29_82
    repeat = await gql.mutate(REFUND, _refund("R-1", "30.00", reason="少一件"), headers=key_auth(secret))
    assert repeat["refund"]["id"] == done["refund"]["id"]
    changed = await gql.mutate(REFUND, _refund("R-1", "31.00"), headers=key_auth(secret))
    assert user_error_codes(changed) == ["IDEMPOTENCY_KEY_REUSED"]
    too_much = await gql.mutate(REFUND, _refund("R-2", "70.01"), headers=key_auth(secret))
    assert user_error_codes(too_much) == ["REFUND_EXCEEDS_REMAINING"]
    rest = await gql.mutate(REFUND, _refund("R-3", "70.00"), headers=key_auth(secret))
    assert rest["errors"] == []
    # Fully refunded: the whole fee came back and the merchant is back to zero.
    assert (await balance_of(fee_income)).available == 0
    assert await merchant_balance(merchant) == 0
    seen = (await gql.ok(ORDER, {"no": "P-1"}, headers=key_auth(secret)))["order"]
    assert seen["refundedAmount"] == "100.00"
    assert [(r["outRefundNo"], r["amount"]) for r in seen["refunds"]] == [("R-1", "30.00"), ("R-3", "70.00")]
    assert await MerchantEvent.filter(merchant_id=merchant.id, type="REFUND_SUCCEEDED").count() == 2
    assert (await reconcile()).clean


async def test_a_refund_needs_the_money_in_the_merchant_account_and_a_paid_order(gql):
    merchant, owner, secret, payer = await _paid_order(gql)
    # The merchant paid the money out elsewhere (set-up: a refund of another order drains it).
    await create_order(gql, secret, "U-1", "5.00")
    unpaid = await gql.mutate(REFUND, _refund("R-U", "1.00", out_trade_no="U-1"), headers=key_auth(secret))
    assert user_error_codes(unpaid) == ["NOT_REFUNDABLE"]
    missing = await gql.mutate(REFUND, _refund("R-M", "1.00", out_trade_no="nope"), headers=key_auth(secret))
    assert user_error_codes(missing) == ["NOT_FOUND"]
    from app.events.outbox import unit_of_work
    from app.ledger import journal
    from models import Account

    account = await Account.get(id=merchant.account_id)
    bank = await system_account("BANK_CLEARING")
    async with unit_of_work() as uow:  # a payout of 90.00 as the payouts service would post it
        await journal.post(uow.conn, [journal.Leg(account, -90_00), journal.Leg(bank, 90_00)])
    poor = await gql.mutate(REFUND, _refund("R-P", "20.00"), headers=key_auth(secret))
    assert user_error_codes(poor) == ["INSUFFICIENT_FUNDS"]
    assert await wallet_balance(payer) == (900_00, 0)
    # The owner may refund too (with merchantNo); 9.40 remains, so 9.00 works.
    owner_refund = await gql.mutate(REFUND, {"input": {**_refund("R-O", "9.00")["input"],
                                                       "merchantNo": merchant.merchant_no}}, token=token_for(owner))
    assert owner_refund["errors"] == []


async def test_20_concurrent_refunds_never_refund_more_than_the_order(gql):
    merchant, _, secret, payer = await _paid_order(gql, amount="50.00")

    async def refund(i: int) -> list[str]:
        return user_error_codes(await gql.mutate(REFUND, _refund(f"C-{i}", "7.00"), headers=key_auth(secret)))

    outcomes = await asyncio.gather(*(refund(i) for i in range(20)))
    assert sum(1 for o in outcomes if o == []) == 7
    assert all(o in ([], ["REFUND_EXCEEDS_REMAINING"]) for o in outcomes)
    original = await Transaction.get(type="PAYMENT")
    assert original.refunded_amount == 49_00
    assert await wallet_balance(payer) == (1_000_00 - 50_00 + 49_00, 0)
    assert (await reconcile()).clean
