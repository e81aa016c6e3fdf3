"""Every risk rule: its trigger, nothing moving when it refuses, its decision record, and the
step-up path that succeeds with a valid PAYMENT code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.errors import DomainError
from app.identity.codes import send_code
from app.ledger.accounts import wallet_of
from app.ledger.reconcile import reconcile
from app.risk.check import Outgoing, check_outgoing
from models import Transaction
from models.risk import RiskAlert, RiskDecision
from tests.factories import DEFAULT_PIN, fund, latest_code, make_merchant, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.payments.support import CREATE_QR, PAY, PAY_QR, TRANSFER, merchant_balance

# 10:00 in Beijing, a Monday.
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def pay_input(merchant_no: str, amount: str, key: str, **extra: object) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key, **extra}}


def transfer_input(recipient: str, amount: str, key: str, **extra: object) -> dict:
    return {"input": {"recipient": recipient, "amount": amount, "paymentPassword": DEFAULT_PIN,
                      "idempotencyKey": key, **extra}}


def errors(payload: dict) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def _decisions(user) -> list[tuple[str, str, str]]:  # noqa: ANN001
    return [(d.operation, d.outcome, d.rule) for d in await RiskDecision.filter(user_id=user.id).order_by("id")]


async def test_a_large_payment_needs_a_payment_code_and_nothing_moves_before(gql):
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 20_000_00)
    token = token_for(payer)

    asked = await gql.mutate(PAY, pay_input(merchant.merchant_no, "5000.01", "big"), token=token)
    assert errors(asked) == [("VERIFICATION_REQUIRED", ["input", "verificationCode"])]
    assert await wallet_balance(payer) == (20_000_00, 0) and await merchant_balance(merchant) == 0

    wrong = await gql.mutate(PAY, pay_input(merchant.merchant_no, "5000.01", "big", verificationCode="000000"),
                             token=token)
    assert errors(wrong) == [("INVALID_VERIFICATION_CODE", ["input", "verificationCode"])]
    assert await wallet_balance(payer) == (20_000_00, 0)

    await send_code(payer.phone, "PAYMENT")
    code = await latest_code(payer.phone, "PAYMENT")
    done = await gql.mutate(PAY, pay_input(merchant.merchant_no, "5000.01", "big", verificationCode=code), token=token)
    assert done["errors"] == [] and done["transaction"]["status"] == "SUCCEEDED"
    assert await wallet_balance(payer) == (20_000_00 - 5000_01, 0)
    assert await merchant_balance(merchant) == 5000_01
    # The code is single use.
    reused = await gql.mutate(PAY, pay_input(merchant.merchant_no, "5000.01", "big2", verificationCode=code),
                              token=token)
    assert errors(reused) == [("INVALID_VERIFICATION_CODE", ["input", "verificationCode"])]
    assert await _decisions(payer) == [
        ("PAY", "STEP_UP", "LARGE_AMOUNT"), ("PAY", "ALLOW", "LARGE_AMOUNT_VERIFIED")]
    assert await RiskAlert.filter(type="LARGE_AMOUNT", user_id=payer.id).count() == 1
    # Exactly the threshold needs no code.
    at_limit = await gql.mutate(PAY, pay_input(merchant.merchant_no, "5000.00", "edge"), token=token)
    assert at_limit["errors"] == []


async def test_large_transfers_and_qr_payments_step_up_too(gql):
    clock.set_now(NOW)
    merchant, owner = await make_merchant()
    alice, bob = await make_user(), await make_user()
    await fund(alice, 20_000_00)
    token = token_for(alice)
    asked = await gql.mutate(TRANSFER, transfer_input(bob.phone, "6000.00", "t"), token=token)
    assert errors(asked) == [("VERIFICATION_REQUIRED", ["input", "verificationCode"])]
    await send_code(alice.phone, "PAYMENT")
    sent = await gql.mutate(TRANSFER, transfer_input(bob.phone, "6000.00", "t", verificationCode=await latest_code(alice.phone, "PAYMENT")),
                            token=token)
    assert sent["errors"] == [] and await wallet_balance(bob) == (6000_00, 0)

    qr = (await gql.mutate(CREATE_QR, {"input": {"amount": "5500.00"}}, token=token_for(owner)))["qrCode"]
    qr_input = {"input": {"payload": qr["payload"], "paymentPassword": DEFAULT_PIN, "idempotencyKey": "q"}}
    asked = await gql.mutate(PAY_QR, qr_input, token=token)
    assert user_error_codes(asked) == ["VERIFICATION_REQUIRED"]
    clock.set_now(NOW + timedelta(seconds=61))  # a new code may be sent after 60 s
    await send_code(alice.phone, "PAYMENT")
    qr_input["input"]["verificationCode"] = await latest_code(alice.phone, "PAYMENT")
    paid = await gql.mutate(PAY_QR, qr_input, token=token)
    assert paid["errors"] == [] and await merchant_balance(merchant) == 5500_00


async def test_more_than_the_daily_limit_is_refused(gql):
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 60_000_00)
    token = token_for(payer)
    for i in range(10):  # 10 x 5,000.00 = the whole daily limit, each without step-up
        assert (await gql.mutate(PAY, pay_input(merchant.merchant_no, "5000.00", f"d{i}"), token=token))["errors"] == []
    refused = await gql.mutate(PAY, pay_input(merchant.merchant_no, "0.01", "over"), token=token)
    assert errors(refused) == [("LIMIT_EXCEEDED", ["input", "amount"])]
    bob = await make_user()
    refused = await gql.mutate(TRANSFER, transfer_input(bob.phone, "0.01", "over-t"), token=token)
    assert user_error_codes(refused) == ["LIMIT_EXCEEDED"]
    assert await wallet_balance(payer) == (10_000_00, 0) and await wallet_balance(bob) == (0, 0)
    assert (await _decisions(payer))[-1] == ("TRANSFER", "REJECT", "DAILY_LIMIT")
    # The next Beijing day starts at 16:00 UTC.
    clock.set_now(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    next_day = await gql.mutate(PAY, pay_input(merchant.merchant_no, "0.01", "next-day"), token=token_for(payer))
    assert next_day["errors"] == []


async def test_unverified_users_pay_at_most_1000_in_total(gql):
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user(verified=False)
    await fund(payer, 2_000_00)
    token = token_for(payer)
    assert (await gql.mutate(PAY, pay_input(merchant.merchant_no, "600.00", "a"), token=token))["errors"] == []
    refused = await gql.mutate(PAY, pay_input(merchant.merchant_no, "400.01", "b"), token=token)
    assert errors(refused) == [("REAL_NAME_REQUIRED", ["input", "amount"])]
    assert await wallet_balance(payer) == (1_400_00, 0)
    assert (await gql.mutate(PAY, pay_input(merchant.merchant_no, "400.00", "c"), token=token))["errors"] == []
    # The cap is for life, not per day, and covers transfers too.
    clock.set_now(NOW + timedelta(days=40))
    bob = await make_user()
    refused = await gql.mutate(TRANSFER, transfer_input(bob.phone, "0.01", "d"), token=token_for(payer))
    assert user_error_codes(refused) == ["REAL_NAME_REQUIRED"]
    assert await wallet_balance(payer) == (1_000_00, 0) and await wallet_balance(bob) == (0, 0)
    assert (await _decisions(payer))[-1] == ("TRANSFER", "REJECT", "UNVERIFIED_CAP")


async def test_unverified_users_cannot_withdraw_or_buy_wealth_products():
    user = await make_user(verified=False)
    wallet = await wallet_of(user.id)
    for operation in ("WITHDRAW", "WEALTH_PURCHASE"):
        with pytest.raises(DomainError) as refused:
            await check_outgoing(Outgoing(user=user, wallet_id=wallet.id, amount=50_00, operation=operation))
        assert refused.value.code.value == "REAL_NAME_REQUIRED"
    assert await _decisions(user) == [("WITHDRAW", "REJECT", "REAL_NAME"), ("WEALTH_PURCHASE", "REJECT", "REAL_NAME")]
    verified = await make_user()
    await check_outgoing(Outgoing(user=verified, wallet_id=(await wallet_of(verified.id)).id, amount=50_00,
                                  operation="WITHDRAW"))
    assert await _decisions(verified) == [("WITHDRAW", "ALLOW", "DEFAULT")]


async def test_large_withdrawals_need_no_payment_code_but_large_wealth_purchases_do():
    user = await make_user()
    wallet = await wallet_of(user.id)
    await check_outgoing(Outgoing(user=user, wallet_id=wallet.id, amount=8_000_00, operation="WITHDRAW"))
    with pytest.raises(DomainError) as asked:
        await check_outgoing(Outgoing(user=user, wallet_id=wallet.id, amount=8_000_00, operation="WEALTH_PURCHASE"))
    assert asked.value.code.value == "VERIFICATION_REQUIRED"
    assert await _decisions(user) == [
        ("WITHDRAW", "ALLOW", "DEFAULT"), ("WEALTH_PURCHASE", "STEP_UP", "LARGE_AMOUNT")]


async def test_more_than_20_payments_in_60_seconds_is_refused_with_a_high_alert(gql):
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_00)
    bob = await make_user()
    token = token_for(payer)
    for i in range(20):
        clock.set_now(NOW + timedelta(seconds=i))
        if i % 2:
            result = await gql.mutate(TRANSFER, transfer_input(bob.phone, "1.00", f"v{i}"), token=token)
        else:
            result = await gql.mutate(PAY, pay_input(merchant.merchant_no, "1.00", f"v{i}"), token=token)
        assert result["errors"] == [], (i, result)
    clock.set_now(NOW + timedelta(seconds=30))
    refused = await gql.mutate(PAY, pay_input(merchant.merchant_no, "1.00", "v20"), token=token)
    assert errors(refused) == [("RISK_REJECTED", ["input", "amount"])]
    refused = await gql.mutate(TRANSFER, transfer_input(bob.phone, "1.00", "v21"), token=token)
    assert user_error_codes(refused) == ["RISK_REJECTED"]
    assert await wallet_balance(payer) == (80_00, 0)
    alerts = await RiskAlert.filter(type="VELOCITY", user_id=payer.id)
    assert [(a.level, a.scope) for a in alerts] == [("HIGH", f"USER:{payer.id}")]  # one alert per burst
    assert (await _decisions(payer))[-1] == ("TRANSFER", "REJECT", "VELOCITY")
    # Once the oldest payments leave the 60-second window, paying works again.
    clock.set_now(NOW + timedelta(seconds=60, microseconds=1))
    assert (await gql.mutate(PAY, pay_input(merchant.merchant_no, "1.00", "v22"), token=token))["errors"] == []


async def test_failed_attempts_do_not_count_towards_velocity(gql):
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 1_00)
    token = token_for(payer)
    for i in range(25):
        result = await gql.mutate(PAY, pay_input(merchant.merchant_no, "2.00", f"f{i}"), token=token)
        assert user_error_codes(result) == ["INSUFFICIENT_FUNDS"]
    assert (await gql.mutate(PAY, pay_input(merchant.merchant_no, "1.00", "ok"), token=token))["errors"] == []


@pytest.mark.parametrize("status", ["FROZEN", "ABNORMAL"])
async def test_frozen_and_abnormal_accounts_move_no_money_out(gql, status):
    merchant, _ = await make_merchant()
    payer, bob = await make_user(), await make_user()
    await fund(payer, 100_00)
    payer.status = status
    await payer.save()
    token = token_for(payer)
    paid = await gql.mutate(PAY, pay_input(merchant.merchant_no, "1.00", "p"), token=token)
    assert errors(paid) == [("ACCOUNT_FROZEN", None)]
    sent = await gql.mutate(TRANSFER, transfer_input(bob.phone, "1.00", "t"), token=token)
    assert user_error_codes(sent) == ["ACCOUNT_FROZEN"]
    with pytest.raises(DomainError):
        await check_outgoing(Outgoing(user=payer, wallet_id=(await wallet_of(payer.id)).id, amount=50_00,
                                      operation="WITHDRAW"))
    assert await wallet_balance(payer) == (100_00, 0) and await wallet_balance(bob) == (0, 0)
    assert await Transaction.filter(type__in=("PAYMENT", "TRANSFER")).count() == 0
    assert {d[2] for d in await _decisions(payer)} == {"ACCOUNT_STATUS"}
    # Back to NORMAL, money moves again.
    payer.status = "NORMAL"
    await payer.save()
    assert (await gql.mutate(PAY, pay_input(merchant.merchant_no, "1.00", "p2"), token=token))["errors"] == []
    assert (await reconcile()).clean
