"""closeAccount: refused for each obligation (each named), then sessions revoked, login
disabled, personal data removed from every table while reconcile stays clean, and the
retention job erasing what the law kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise import Tortoise

from app import clock, crypto
from app.identity.codes import send_code
from app.jobs.registry import run_once
from app.ledger.accounts import wallet_of
from app.ledger.reconcile import reconcile
from models import Account, Refund, Transaction, User
from models.privacy import ClosedAccount
from models.wealth import Holding
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    fund,
    latest_code,
    make_card,
    make_merchant,
    make_staff,
    make_user,
    token_for,
)
from tests.identity.helpers import REFRESH
from tests.payments.support import TRANSFER
from tests.self_service.totp_steps import code_now, enroll, login
from tests.support_desk.documents import set_status, submitted
from tests.wealth.support import make_product

CLOSE = """
mutation($password: String!, $code: String) { closeAccount(input: {password: $password, verificationCode: $code}) {
  ok obligations errors { code message field } } }"""
OBLIGATIONS = "{ accountClosureObligations }"
NOW = datetime(2026, 11, 30, 2, 0, 5, tzinfo=UTC)


async def _close(gql, user, code: str | None, password: str = DEFAULT_PASSWORD) -> dict:  # noqa: ANN001
    return await gql.mutate(CLOSE, {"password": password, "code": code}, token=token_for(user))


async def _sms(user: User) -> str:
    await send_code(user.phone, "CLOSE_ACCOUNT")
    return await latest_code(user.phone, "CLOSE_ACCOUNT")


async def _balance(user: User) -> None:
    await fund(user, 1)


async def _held(user: User) -> None:
    await Account.filter(id=(await wallet_of(user.id)).id).update(held=5)


async def _holding(user: User) -> None:
    product = await make_product()
    await Holding.create(user_id=user.id, product_id=product.id, account_id=(await wallet_of(user.id)).id,
                         rate_bp=285, principal=100_00, purchased_at=clock.now(), accrued_through=date(2026, 11, 30),
                         purchase_transaction_id=1)


async def _refund(user: User) -> None:
    tx = await fund(user, 10_00)
    await Account.filter(id=(await wallet_of(user.id)).id).update(available=0)
    await Refund.create(refund_no="R1", transaction_id=tx.id, user_id=user.id, amount=1_00, reason="WRONG_AMOUNT",
                        review_deadline=clock.now() + timedelta(days=3))


async def _processing(user: User) -> None:
    tx = await fund(user, 10_00)
    await Account.filter(id=(await wallet_of(user.id)).id).update(available=0)
    await Transaction.filter(id=tx.id).update(status="PROCESSING")


async def _merchant(user: User) -> None:
    await make_merchant("小店", owner=user)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (_balance, ["BALANCE"]),
        (_held, ["FROZEN_FUNDS"]),
        (_holding, ["WEALTH_HOLDINGS"]),
        (_refund, ["PENDING_REFUNDS"]),
        (_processing, ["PENDING_TRANSACTIONS"]),
        (_merchant, ["MERCHANT"]),
    ],
)
async def test_each_obligation_refuses_closure_by_name(gql, setup, expected):
    clock.set_now(NOW)
    user = await make_user()
    await setup(user)
    assert (await gql.ok(OBLIGATIONS, token=token_for(user)))["accountClosureObligations"] == expected
    refused = await _close(gql, user, await _sms(user))
    assert refused["ok"] is False and refused["obligations"] == expected
    assert [e["code"] for e in refused["errors"]] == ["ACCOUNT_HAS_OBLIGATIONS"]
    fresh = await User.get(id=user.id)
    assert fresh.status == "NORMAL" and fresh.phone == user.phone


async def test_an_open_ticket_refuses_closure_and_several_are_named_together(gql):
    clock.set_now(NOW)
    user = await make_user()
    await fund(user, 3_00)
    await submitted(gql, token_for(user))
    refused = await _close(gql, user, None)
    assert refused["obligations"] == ["BALANCE", "OPEN_TICKETS"]
    message = refused["errors"][0]["message"]
    assert "余额" in message and "工单" in message


async def test_the_password_and_a_second_factor_are_needed(gql):
    clock.set_now(NOW)
    user = await make_user()
    assert [e["code"] for e in (await _close(gql, user, "123456", password="wrong-one1"))["errors"]] == [
        "INVALID_CREDENTIALS"]
    assert [e["code"] for e in (await _close(gql, user, None))["errors"]] == ["VERIFICATION_REQUIRED"]
    await _sms(user)
    assert [e["code"] for e in (await _close(gql, user, "000000"))["errors"]] == ["INVALID_VERIFICATION_CODE"]
    assert (await User.get(id=user.id)).status == "NORMAL"
    # With the dynamic token on, its current code does.
    secret, _ = await enroll(gql, user)
    clock.set_now(NOW + timedelta(seconds=30))
    assert (await _close(gql, user, code_now(secret)))["ok"] is True


async def _rows_mentioning(*needles: str) -> list[str]:
    """Every table and column whose stored text contains one of ``needles`` (also inside
    encrypted columns, decrypted)."""
    found = []
    for model in set(Tortoise.apps["models"].values()):
        for row in await model.all().values():
            for column, value in row.items():
                text = str(value) if value is not None else ""
                if column.endswith("_enc") and value:
                    text = crypto.decrypt(value)
                for needle in needles:
                    if needle and needle in text:
                        found.append(f"{model._meta.db_table}.{column}")
    return sorted(set(found))


async def test_closing_removes_personal_data_and_signs_out_everywhere(gql):
    clock.set_now(NOW)
    alice = await make_user(email="alice@example.com", real_name="王小丽", id_number="110105194912310125")
    bob = await make_user()
    staff = await make_staff("SUPPORT")
    await fund(alice, 50_00)
    await make_card(alice, ending="4321")
    signed_in = await login(gql, alice)
    refresh_token_before = signed_in["errors"] == [] and (await gql.mutate(
        "mutation($i: String!, $p: String!) { login(input: {identifier: $i, password: $p}) { auth { refreshToken } } }",
        {"i": alice.phone, "p": DEFAULT_PASSWORD}))["auth"]["refreshToken"]
    ticket = await submitted(gql, token_for(alice), subject="注销前的问题", body="我的手机号是 " + alice.phone)
    assert (await set_status(gql, token_for(staff), ticket["id"], "RESOLVED")).errors == []
    # Empty the wallet: all to Bob.
    move = {"input": {"recipient": bob.phone, "amount": "50.00", "paymentPassword": DEFAULT_PIN, "idempotencyKey": "x"}}
    assert (await gql.mutate(TRANSFER, move, token=token_for(alice)))["errors"] == []
    account_no = (await wallet_of(alice.id)).account_no

    closed = await _close(gql, alice, await _sms(alice))
    assert closed == {"ok": True, "obligations": [], "errors": []}

    # Signed out everywhere, login disabled, not findable for transfers.
    assert (await gql.ok("{ viewer { id } }", token=token_for(alice)))["viewer"] is None
    refreshed = await gql.mutate(REFRESH, {"token": refresh_token_before})
    assert refreshed["auth"] is None and refreshed["errors"]
    assert [e["code"] for e in (await login(gql, alice))["errors"]] == ["INVALID_CREDENTIALS"]
    for recipient in (alice.phone, account_no):
        again = {"input": {**move["input"], "recipient": recipient, "amount": "1.00", "idempotencyKey": recipient}}
        assert [e["code"] for e in (await gql.mutate(TRANSFER, again, token=token_for(bob)))["errors"]] == ["NOT_FOUND"]
    # Staff see it as closed.
    from schema.node import to_global_id

    node = await gql.ok("query($id: ID!) { node(id: $id) { ... on User { status phone } } }",
                        {"id": to_global_id("User", alice.id)}, token=token_for(await make_staff("ADMIN")))
    assert node["node"]["status"] == "CLOSED"

    # The phone and email are gone from every table (the phone kept encrypted only in the retention
    # record); the identity the law requires is kept, encrypted, until the retention job.
    assert await _rows_mentioning(alice.phone, "alice@example.com") == [
        "closed_accounts.phone_enc", "ticket_messages.body"]
    assert await _rows_mentioning("王小丽", "110105194912310125") == ["users.id_number_enc", "users.real_name_enc"]
    assert (await reconcile()).clean

    # Nothing happens before the retention period ends; after it, the rest is erased.
    record = await ClosedAccount.get(user_id=alice.id)
    await run_once(record.erase_after - timedelta(days=1))
    assert (await ClosedAccount.get(user_id=alice.id)).erased_at is None
    await run_once(record.erase_after + timedelta(hours=1))
    assert await _rows_mentioning(alice.phone, "alice@example.com", "王小丽", "110105194912310125") == []
    assert (await reconcile()).clean
    assert (await User.get(id=alice.id)).status == "CLOSED"
