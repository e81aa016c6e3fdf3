"""transfer between users: by phone or account number, both directions, both sides notified."""

from __future__ import annotations

import pytest

from app.ledger.reconcile import reconcile
from models import Account, Journal, OutboxEvent, SandboxMessage, Transaction
from schema.money.types import TransactionType
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import TRANSFER


def transfer_input(recipient: str, amount: str, key: str = "t1", **extra: object) -> dict:
    return {"input": {"recipient": recipient, "amount": amount, "paymentPassword": DEFAULT_PIN,
                      "idempotencyKey": key, **extra}}


async def _wallet(user) -> Account:  # noqa: ANN001
    return await Account.get(user_id=user.id, kind="WALLET")


async def test_transfer_by_phone_is_one_transaction_seen_out_and_in(gql):
    alice = await make_user(real_name="王小明")
    bob = await make_user(real_name="李四")
    await fund(alice, 100_00)
    payload = await gql.mutate(TRANSFER, transfer_input(bob.phone, "30.00", note="午饭"), token=token_for(alice))
    assert payload["errors"] == []
    tx = payload["transaction"]
    assert (tx["type"], tx["status"], tx["direction"], tx["amount"]) == ("TRANSFER", "SUCCEEDED", "OUT", "30.00")
    assert tx["counterparty"] == {"name": "李*", "account": f"{bob.phone[:3]}****{bob.phone[-4:]}"}
    assert tx["description"] == "午饭"
    assert payload["account"]["available"] == "70.00"
    assert await wallet_balance(alice) == (70_00, 0)
    assert await wallet_balance(bob) == (30_00, 0)

    row = await Transaction.get(transaction_no=tx["transactionNo"])
    assert await Journal.filter(transaction_id=row.id).count() == 1
    bob_view = TransactionType.from_model(row, (await _wallet(bob)).id)
    assert bob_view.direction.value == "IN" and bob_view.counterparty.name == "王**"

    # balanceChanged for both sides, each with a balance SMS.
    for user, delta, available in ((alice, -30_00, 70_00), (bob, 30_00, 30_00)):
        event = await OutboxEvent.filter(topic=f"balance:{(await _wallet(user)).id}").order_by("-id").first()
        assert (event.payload["delta"], event.payload["available"], event.payload["transactionId"]) == (
            delta, available, row.id)
        assert await SandboxMessage.filter(recipient=user.phone, purpose="BALANCE").exists()
    assert (await reconcile()).clean


async def test_transfer_by_account_number_and_back(gql):
    alice, bob = await make_user(), await make_user()
    await fund(alice, 50_00)
    bob_wallet, alice_wallet = await _wallet(bob), await _wallet(alice)
    there = await gql.mutate(TRANSFER, transfer_input(bob_wallet.account_no, "50.00"), token=token_for(alice))
    assert there["errors"] == []
    back = await gql.mutate(TRANSFER, transfer_input(f"+86 {alice.phone}", "20.00"), token=token_for(bob))
    assert back["errors"] == [] and back["transaction"]["direction"] == "OUT"
    assert await wallet_balance(alice) == (20_00, 0)
    assert await wallet_balance(bob) == (30_00, 0)
    back_row = await Transaction.get(transaction_no=back["transaction"]["transactionNo"])
    assert back_row.account_id == bob_wallet.id and back_row.counterparty_account_id == alice_wallet.id
    assert TransactionType.from_model(back_row, alice_wallet.id).direction.value == "IN"
    assert (await reconcile()).clean


@pytest.mark.parametrize(
    ("recipient", "code"),
    [
        ("13999999999", "NOT_FOUND"),
        ("6000000000000000", "NOT_FOUND"),
        ("not a phone", "VALIDATION_FAILED"),
        ("", "VALIDATION_FAILED"),
    ],
)
async def test_unknown_or_malformed_recipients(gql, recipient, code):
    alice = await make_user()
    await fund(alice, 10_00)
    payload = await gql.mutate(TRANSFER, transfer_input(recipient, "1.00"), token=token_for(alice))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, ["input", "recipient"])]
    assert await wallet_balance(alice) == (10_00, 0)


async def test_a_merchant_account_is_not_a_transfer_recipient(gql):
    merchant, _ = await make_merchant()
    alice = await make_user()
    await fund(alice, 10_00)
    account = await Account.get(id=merchant.account_id)
    payload = await gql.mutate(TRANSFER, transfer_input(account.account_no, "1.00"), token=token_for(alice))
    assert user_error_codes(payload) == ["NOT_FOUND"]


async def test_no_transfer_to_oneself(gql):
    alice = await make_user()
    await fund(alice, 10_00)
    for recipient in (alice.phone, (await _wallet(alice)).account_no):
        payload = await gql.mutate(TRANSFER, transfer_input(recipient, "1.00"), token=token_for(alice))
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION_FAILED", ["input", "recipient"])]
    assert await Transaction.filter(type="TRANSFER").count() == 0


async def test_failed_transfers_move_nothing(gql):
    alice, bob = await make_user(), await make_user()
    await fund(alice, 10_00)
    token = token_for(alice)
    too_much = await gql.mutate(TRANSFER, transfer_input(bob.phone, "10.01"), token=token)
    assert user_error_codes(too_much) == ["INSUFFICIENT_FUNDS"]
    wrong_pin = transfer_input(bob.phone, "1.00")
    wrong_pin["input"]["paymentPassword"] = "975310"
    assert user_error_codes(await gql.mutate(TRANSFER, wrong_pin, token=token)) == ["INVALID_PAYMENT_PASSWORD"]
    assert user_error_codes(await gql.mutate(TRANSFER, transfer_input(bob.phone, "0.00"), token=token)) == [
        "INVALID_AMOUNT"]
    assert await wallet_balance(alice) == (10_00, 0) and await wallet_balance(bob) == (0, 0)
    assert await Transaction.filter(type="TRANSFER").count() == 0
    assert await OutboxEvent.filter(topic__startswith="balance:").count() == 0


async def test_transfer_replay_moves_money_once(gql):
    alice, bob = await make_user(), await make_user()
    await fund(alice, 10_00)
    token = token_for(alice)
    first = await gql.mutate(TRANSFER, transfer_input(bob.phone, "4.00", key="dup"), token=token)
    second = await gql.mutate(TRANSFER, transfer_input(bob.phone, "4.00", key="dup"), token=token)
    assert second["transaction"]["transactionNo"] == first["transaction"]["transactionNo"]
    assert await wallet_balance(bob) == (4_00, 0)
    changed = await gql.mutate(TRANSFER, transfer_input(bob.phone, "4.00", key="dup", note="x"), token=token)
    assert user_error_codes(changed) == ["IDEMPOTENCY_KEY_REUSED"]


async def test_money_may_come_in_to_a_frozen_account(gql):
    alice, bob = await make_user(), await make_user()
    bob.status = "FROZEN"
    await bob.save()
    await fund(alice, 10_00)
    payload = await gql.mutate(TRANSFER, transfer_input(bob.phone, "3.00"), token=token_for(alice))
    assert payload["errors"] == [] and await wallet_balance(bob) == (3_00, 0)


STATEMENT = """{ transactions(first: 10) { edges { node { transactionNo type direction amount counterparty { name } } } } }"""


async def test_both_users_see_the_transfer_in_their_statements(gql):
    alice = await make_user(real_name="王小明")
    bob = await make_user(real_name="李四")
    await fund(alice, 10_00)
    sent = await gql.mutate(TRANSFER, transfer_input(bob.phone, "6.00"), token=token_for(alice))
    tx_no = sent["transaction"]["transactionNo"]

    def row(data: dict) -> dict:
        return next(e["node"] for e in data["transactions"]["edges"] if e["node"]["transactionNo"] == tx_no)

    assert row(await gql.ok(STATEMENT, token=token_for(alice))) == {
        "transactionNo": tx_no, "type": "TRANSFER", "direction": "OUT", "amount": "6.00", "counterparty": {"name": "李*"}}
    assert row(await gql.ok(STATEMENT, token=token_for(bob))) == {
        "transactionNo": tx_no, "type": "TRANSFER", "direction": "IN", "amount": "6.00", "counterparty": {"name": "王**"}}
