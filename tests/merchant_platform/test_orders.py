"""Orders through the public API: created with an API key, paid by a payer scanning the QR
payload with payQrCode, the fee in the same journal, closing, expiry, outTradeNo idempotency."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.jobs.registry import run_once
from app.ledger.accounts import balance_of, system_account
from app.ledger.reconcile import reconcile
from models import Journal, Posting
from models.merchant_platform_events import MerchantEvent
from tests.factories import fund, make_merchant, make_staff, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import merchant_balance

from .core_support import (
    CLOSE_ORDER,
    CREATE_ORDER,
    ORDER,
    SET_FEE,
    create_order,
    key_auth,
    merchant_with_key,
    pay_order,
)

MERCHANT_ORDERS = """query($m: String!) { merchant(merchantNo: $m) { feeRateBps apiKeys { prefix }
  orders(first: 10) { totalCount edges { node { outTradeNo status } } } } }"""


async def test_an_order_created_with_a_key_is_paid_by_scanning_and_carries_its_fee(gql):
    merchant, owner, secret = await merchant_with_key(gql)
    payer = await make_user()
    await fund(payer, 500_00)
    order = await create_order(gql, secret, "A-1001", "123.45", description="拿铁")
    assert (order["status"], order["amount"], order["fee"], order["transaction"]) == ("CREATED", "123.45", "0.00", None)
    assert order["qrPayload"].startswith("fenpay://pay?o=")

    paid = await pay_order(gql, payer, order)
    assert paid["errors"] == [] and paid["transaction"]["amount"] == "123.45"
    assert paid["account"]["available"] == "376.55"

    seen = (await gql.ok(ORDER, {"no": "A-1001"}, headers=key_auth(secret)))["order"]
    # 123.45 x 0.6 % = 0.7407 -> 0.74 (half-up)
    assert (seen["status"], seen["fee"], seen["paidAt"] is not None) == ("PAID", "0.74", True)
    assert seen["transaction"] == {
        "transactionNo": paid["transaction"]["transactionNo"], "amount": "123.45", "direction": "IN"}
    assert await merchant_balance(merchant) == 123_45 - 74
    fee_income = await system_account("FEE_INCOME")
    assert (await balance_of(fee_income)).available == 74
    journal = await Journal.filter(transaction__transaction_no=paid["transaction"]["transactionNo"]).get()
    legs = sorted(p.amount for p in await Posting.filter(journal_id=journal.id))
    assert legs == [-123_45, 74, 123_45 - 74]  # one journal: payer, fee income, merchant
    assert await MerchantEvent.filter(merchant_id=merchant.id, type="ORDER_PAID").count() == 1

    again = await pay_order(gql, payer, order, key="pay-2")
    assert user_error_codes(again) == ["QR_CODE_USED"]
    replay = await pay_order(gql, payer, order, key="pay-1")
    assert replay["errors"] == [] and replay["transaction"]["transactionNo"] == paid["transaction"]["transactionNo"]
    assert await wallet_balance(payer) == (376_55, 0)

    listing = (await gql.ok(MERCHANT_ORDERS, {"m": merchant.merchant_no}, token=token_for(owner)))["merchant"]
    assert listing["feeRateBps"] == 60 and len(listing["apiKeys"]) == 1
    assert listing["orders"]["totalCount"] == 1 and listing["orders"]["edges"][0]["node"]["status"] == "PAID"
    stranger = (await gql.ok(MERCHANT_ORDERS, {"m": merchant.merchant_no}, token=token_for(payer)))["merchant"]
    assert stranger == {"feeRateBps": None, "apiKeys": [], "orders": {"totalCount": 0, "edges": []}}
    assert (await reconcile()).clean


async def test_out_trade_no_is_idempotent_with_the_same_details_and_refused_with_others(gql):
    _, _, secret = await merchant_with_key(gql)
    first = await create_order(gql, secret, "B-1", "10.00", description="x")
    same = await create_order(gql, secret, "B-1", "10.00", description="x")
    assert same["id"] == first["id"]
    other = await gql.mutate(CREATE_ORDER, {"input": {"outTradeNo": "B-1", "amount": "11.00"}},
                             headers=key_auth(secret))
    assert user_error_codes(other) == ["DUPLICATE_OUT_TRADE_NO"]
    assert other["errors"][0]["field"] == ["input", "outTradeNo"]
    for bad, field in (({"outTradeNo": "", "amount": "1.00"}, "outTradeNo"),
                       ({"outTradeNo": "C", "amount": "0.00"}, "amount"),
                       ({"outTradeNo": "C", "amount": "1.00", "expiresInSeconds": 5}, "expiresInSeconds")):
        refused = await gql.mutate(CREATE_ORDER, {"input": bad}, headers=key_auth(secret))
        assert refused["errors"][0]["field"] == ["input", field], refused


async def test_the_owner_acts_with_merchant_no_and_closes_an_unpaid_order(gql):
    merchant, owner, _ = await merchant_with_key(gql)
    token = token_for(owner)
    missing = await gql.mutate(CREATE_ORDER, {"input": {"outTradeNo": "O-1", "amount": "5.00"}}, token=token)
    assert user_error_codes(missing) == ["VALIDATION_FAILED"]
    made = await gql.mutate(CREATE_ORDER, {"input": {"merchantNo": merchant.merchant_no, "outTradeNo": "O-1",
                                                     "amount": "5.00"}}, token=token)
    assert made["errors"] == []
    closed = await gql.mutate(CLOSE_ORDER, {"input": {"merchantNo": merchant.merchant_no, "outTradeNo": "O-1"}},
                              token=token)
    assert closed["order"]["status"] == "CLOSED"
    payer = await make_user()
    await fund(payer, 10_00)
    refused = await pay_order(gql, payer, made["order"])
    assert user_error_codes(refused) == ["QR_CODE_EXPIRED"]
    assert await wallet_balance(payer) == (10_00, 0)
    other_owner = (await make_merchant("别家"))[1]
    foreign = await gql.mutate(CLOSE_ORDER, {"input": {"merchantNo": merchant.merchant_no, "outTradeNo": "O-1"}},
                               token=token_for(other_owner))
    assert user_error_codes(foreign) == ["NOT_FOUND"]


async def test_the_expiry_job_closes_unpaid_orders_and_tells_the_merchant(gql):
    merchant, _, secret = await merchant_with_key(gql)
    await create_order(gql, secret, "E-1", "3.00", expiresInSeconds=60)
    await create_order(gql, secret, "E-2", "3.00", expiresInSeconds=3600)
    await run_once(clock.now() + timedelta(seconds=61))
    one = (await gql.ok(ORDER, {"no": "E-1"}, headers=key_auth(secret)))["order"]
    two = (await gql.ok(ORDER, {"no": "E-2"}, headers=key_auth(secret)))["order"]
    assert (one["status"], two["status"]) == ("CLOSED", "CREATED")
    assert await MerchantEvent.filter(merchant_id=merchant.id, type="ORDER_CLOSED").count() == 1


async def test_admin_sets_the_fee_rate_and_a_paid_order_uses_it_half_up(gql):
    merchant, owner, secret = await merchant_with_key(gql)
    admin = await make_staff("ADMIN")
    refused = await gql(SET_FEE, {"input": {"merchantNo": merchant.merchant_no, "feeRateBps": 25}},
                        token=token_for(owner))
    assert refused.error_codes() == ["FORBIDDEN"]
    bad = await gql.mutate(SET_FEE, {"input": {"merchantNo": merchant.merchant_no, "feeRateBps": 10_001}},
                           token=token_for(admin))
    assert user_error_codes(bad) == ["VALIDATION_FAILED"]
    done = await gql.mutate(SET_FEE, {"input": {"merchantNo": merchant.merchant_no, "feeRateBps": 25}},
                            token=token_for(admin))
    assert done["merchant"]["feeRateBps"] == 25
    payer = await make_user()
    await fund(payer, 100_00)
    order = await create_order(gql, secret, "F-1", "2.00")  # 2.00 x 0.25 % = 0.005 -> 0.01 (half-up)
    assert (await pay_order(gql, payer, order))["errors"] == []
    seen = (await gql.ok(ORDER, {"no": "F-1"}, headers=key_auth(secret)))["order"]
    assert seen["fee"] == "0.01"
    assert await merchant_balance(merchant) == 1_99
    assert (await reconcile()).clean
