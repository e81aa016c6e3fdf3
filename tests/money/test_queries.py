"""transaction(transactionNo) and node(id) show money objects to their owners only."""

from __future__ import annotations

from app.ledger.accounts import open_account, wallet_of
from app.ledger.numbers import new_number
from models import Merchant, Transaction
from schema.node import to_global_id
from tests.factories import fund, make_user, token_for
from tests.money.support import top_up

BY_NUMBER = """
query($no: String!) { transaction(transactionNo: $no) { transactionNo direction amount counterparty { name } } }
"""
NODE = """
query($id: ID!) {
  node(id: $id) {
    id
    ... on Account { accountNo available }
    ... on Transaction { transactionNo direction }
  }
}"""


async def test_transaction_by_number_for_its_owner_only(gql):
    owner, stranger = await make_user(), await make_user()
    number = (await top_up(gql, owner, "30", channel="THIRD_PARTY"))["transaction"]["transactionNo"]
    mine = await gql.ok(BY_NUMBER, {"no": number}, token=token_for(owner))
    assert mine["transaction"] == {
        "transactionNo": number, "direction": "IN", "amount": "30.00", "counterparty": {"name": "第三方支付"},
    }
    assert (await gql.ok(BY_NUMBER, {"no": number}, token=token_for(stranger)))["transaction"] is None
    assert (await gql.ok(BY_NUMBER, {"no": number}))["transaction"] is None
    assert (await gql.ok(BY_NUMBER, {"no": "T000"}, token=token_for(owner)))["transaction"] is None


async def test_the_counterparty_sees_the_other_direction(gql):
    payer, owner = await make_user(), await make_user(roles="USER MERCHANT")
    receiving = await open_account("MERCHANT", "测试商户", user_id=None)
    await Merchant.create(merchant_no="M0001", name="测试商户", category="餐饮", owner_id=owner.id, account_id=receiving.id)
    wallet = await wallet_of(payer.id)
    tx = await Transaction.create(
        transaction_no=new_number("T"), type="PAYMENT", status="SUCCEEDED", channel="WALLET_BALANCE",
        amount=1_000, account_id=wallet.id, counterparty_account_id=receiving.id,
        counterparty_name="测试商户", initiator_name="张*",
    )
    as_payer = await gql.ok(BY_NUMBER, {"no": tx.transaction_no}, token=token_for(payer))
    as_merchant = await gql.ok(BY_NUMBER, {"no": tx.transaction_no}, token=token_for(owner))
    assert as_payer["transaction"]["direction"] == "OUT"
    assert as_payer["transaction"]["counterparty"] == {"name": "测试商户"}
    assert as_merchant["transaction"]["direction"] == "IN"
    assert as_merchant["transaction"]["counterparty"] == {"name": "张*"}
    merchant_account = await gql.ok(NODE, {"id": to_global_id("Account", receiving.id)}, token=token_for(owner))
    assert merchant_account["node"]["accountNo"] == receiving.account_no


async def test_node_for_account_and_transaction_is_owner_only(gql):
    owner, stranger = await make_user(), await make_user()
    funded = await fund(owner, 5_000)
    wallet = await wallet_of(owner.id)
    account_id = to_global_id("Account", wallet.id)
    transaction_id = to_global_id("Transaction", funded.id)
    mine = await gql.ok(NODE, {"id": account_id}, token=token_for(owner))
    assert mine["node"] == {"id": account_id, "accountNo": wallet.account_no, "available": "50.00"}
    tx = await gql.ok(NODE, {"id": transaction_id}, token=token_for(owner))
    assert tx["node"] == {"id": transaction_id, "transactionNo": funded.transaction_no, "direction": "IN"}
    for global_id in (account_id, transaction_id):
        assert (await gql.ok(NODE, {"id": global_id}, token=token_for(stranger)))["node"] is None
        assert (await gql.ok(NODE, {"id": global_id}))["node"] is None


async def test_viewer_account_shows_available_and_frozen(gql):
    user = await make_user()
    await fund(user, 12_300)
    data = await gql.ok("{ viewer { account { balance available frozen status currency } } }", token=token_for(user))
    assert data["viewer"]["account"] == {
        "balance": "123.00", "available": "123.00", "frozen": "0.00", "status": "NORMAL", "currency": "CNY",
    }
