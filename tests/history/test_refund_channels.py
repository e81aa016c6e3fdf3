"""Refunds of bank-card and third-party payments go back through the channel; card refunds
arrive the next business day through the jobs; review deadlines raise alerts; and the
ledger reconciles after all of it (also through the `fenpay reconcile` command)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from app import clock, crypto
from app.channels.base import DECLINED, PENDING
from app.jobs.registry import run_once
from app.ledger.accounts import balance_of, system_account
from app.refunds import channels
from models import Account, BankCard, OutboxEvent, Refund, SandboxMessage, Transaction
from models.ledger import Journal
from models.risk import RiskAlert
from tests.factories import (
    card_payment,
    fund,
    make_card,
    make_merchant,
    make_staff,
    make_user,
    third_party_payment,
    token_for,
    transfer,
    wallet_balance,
    wallet_payment,
)
from tests.harness.graphql import user_error_codes
from tests.history.docs import MY_REFUNDS, REVIEW_QUEUE, ask_refund, assert_ledger_clean, decide
from tests.history.doubles import RecordingBank, RecordingProvider

ROOT = Path(__file__).resolve().parents[2]

# Friday 2026-03-06 10:00 China time; the next business day starts Monday 2026-03-09 09:00.
FRIDAY = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
MONDAY_BEFORE_NINE = datetime(2026, 3, 9, 0, 59, tzinfo=UTC)
MONDAY_AFTER_NINE = datetime(2026, 3, 9, 1, 30, tzinfo=UTC)


async def _balance(code_or_account) -> int:  # noqa: ANN001
    account = await system_account(code_or_account) if isinstance(code_or_account, str) else code_or_account
    return (await balance_of(account)).available


async def _refund(refund_no: str) -> Refund:
    return await Refund.get(refund_no=refund_no)


async def _jobs(now: datetime) -> dict[str, str]:
    results = dict(await run_once(now))
    clock.set_now(now)  # run_once hands the clock back to real time; these tests live in 2026-03
    return results


async def test_bank_card_refund_goes_back_to_the_card_and_arrives_next_business_day(gql):
    clock.set_now(FRIDAY)
    alice = await make_user(real_name="张三")
    card = await make_card(alice)
    shop, _ = await make_merchant()
    payment = await card_payment(alice, shop, 10_000, card)
    shop_account = await Account.get(id=shop.account_id)
    assert await wallet_balance(alice) == (0, 0)
    token, staff = token_for(alice), token_for(await make_staff("SUPPORT"))
    refund = (await ask_refund(gql, token, payment.transaction_no, amount="30.00", reason="PROCESSING_ERROR"))["refund"]

    bank = RecordingBank()
    with channels.substituted(bank=bank):
        approved = await decide(gql, staff, refund["id"], True)
    assert approved["errors"] == []
    got = approved["refund"]
    assert got["status"] == "APPROVED" and got["completedAt"] is None
    assert got["refundTransaction"]["status"] == "PROCESSING"
    assert got["refundTransaction"]["channel"] == "BANK_CARD"
    assert got["refundTransaction"]["expectedArrivalAt"].startswith("2026-03-09T01:00:00")
    refund_tx = await Transaction.get(type="REFUND")
    number = crypto.decrypt((await BankCard.get(id=card.id)).number_enc)
    assert bank.payouts == [(number, 3_000, refund_tx.transaction_no)]
    # One journal: the shop pays it back to the bank; the wallet never sees it.
    assert await Journal.filter(transaction_id=refund_tx.id, kind="POST").count() == 1
    assert await _balance(shop_account) == 7_000
    assert await _balance("BANK_CLEARING") == -7_000
    assert await wallet_balance(alice) == (0, 0)
    assert got["transaction"]["refundableAmount"] == "70.00"
    assert await SandboxMessage.filter(recipient=alice.phone, text__contains="预计").count() == 1
    await assert_ledger_clean()

    for moment in (SATURDAY, MONDAY_BEFORE_NINE):
        await _jobs(moment)
        assert (await _refund(got["refundNo"])).status == "APPROVED"
    summary = await _jobs(MONDAY_AFTER_NINE)
    assert summary["refund-arrivals"] == "1 refunds arrived"
    done = await _refund(got["refundNo"])
    assert done.status == "COMPLETED" and done.completed_at == MONDAY_AFTER_NINE
    settled = await Transaction.get(id=refund_tx.id)
    assert settled.status == "SUCCEEDED" and settled.completed_at == MONDAY_AFTER_NINE
    assert await SandboxMessage.filter(recipient=alice.phone, text__contains="已原路退回到账").count() == 1
    # (Tokens expire on the moved clock: sign in afresh on Monday.)
    listing = (await gql.ok(MY_REFUNDS, token=token_for(alice)))["refunds"]["edges"][0]["node"]
    assert listing["status"] == "COMPLETED" and listing["refundTransaction"]["status"] == "SUCCEEDED"
    # Running the jobs again changes nothing.
    assert (await _jobs(MONDAY_AFTER_NINE))["refund-arrivals"] == "0 refunds arrived"
    await assert_ledger_clean()


async def test_a_refused_card_refund_stays_pending_and_moves_no_money(gql):
    clock.set_now(FRIDAY)
    alice = await make_user()
    card = await make_card(alice)
    shop, _ = await make_merchant()
    payment = await card_payment(alice, shop, 5_000, card)
    staff = token_for(await make_staff("ADMIN"))
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no))["refund"]
    with channels.substituted(bank=RecordingBank(status=DECLINED)):
        refused = await decide(gql, staff, refund["id"], True)
    assert user_error_codes(refused) == ["CHANNEL_DECLINED"]
    row = await _refund(refund["refundNo"])
    assert row.status == "PENDING_REVIEW" and row.refund_transaction_id is None
    failed = await Transaction.get(type="REFUND")
    assert failed.status == "FAILED"
    assert await Journal.filter(transaction_id=failed.id).count() == 0
    assert await _balance(await Account.get(id=shop.account_id)) == 5_000
    assert (await Transaction.get(id=payment.id)).refunded_amount == 5_000
    await assert_ledger_clean()
    # Back in the queue; a later attempt through a working bank goes ahead.
    queue = (await gql.ok(REVIEW_QUEUE, token=staff))["refundReviewQueue"]
    assert [e["node"]["refundNo"] for e in queue["edges"]] == [refund["refundNo"]]
    with channels.substituted(bank=RecordingBank()):
        retried = await decide(gql, staff, refund["id"], True)
    assert retried["errors"] == [] and retried["refund"]["status"] == "APPROVED"
    await assert_ledger_clean()


async def test_a_card_unbound_since_the_payment_keeps_the_refund_pending(gql):
    clock.set_now(FRIDAY)
    alice = await make_user()
    card = await make_card(alice)
    payment = await card_payment(alice, (await make_merchant())[0], 5_000, card)
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no))["refund"]
    await BankCard.filter(id=card.id).delete()
    bank = RecordingBank()
    with channels.substituted(bank=bank):
        refused = await decide(gql, token_for(await make_staff("ADMIN")), refund["id"], True)
    assert user_error_codes(refused) == ["CHANNEL_DECLINED"]
    assert bank.payouts == []
    assert (await _refund(refund["refundNo"])).status == "PENDING_REVIEW"
    assert await Transaction.filter(type="REFUND").count() == 0


async def test_third_party_refund_completes_when_the_provider_pays_at_once(gql):
    clock.set_now(FRIDAY)
    alice = await make_user()
    shop, _ = await make_merchant()
    payment = await third_party_payment(alice, shop, 8_000)
    staff = token_for(await make_staff("SUPPORT"))
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no, amount="80.00"))["refund"]
    provider = RecordingProvider()
    with channels.substituted(third_party=provider):
        done = await decide(gql, staff, refund["id"], True)
    assert done["refund"]["status"] == "COMPLETED"
    assert done["refund"]["refundTransaction"]["status"] == "SUCCEEDED"
    assert done["refund"]["refundTransaction"]["channel"] == "THIRD_PARTY"
    assert done["refund"]["transaction"]["refundableAmount"] == "0.00"
    tx = await Transaction.get(type="REFUND")
    assert provider.payouts == [(8_000, tx.transaction_no)]
    assert await _balance("THIRD_PARTY_CLEARING") == 0
    assert await _balance(await Account.get(id=shop.account_id)) == 0
    await assert_ledger_clean()


async def test_third_party_refund_the_provider_accepts_for_later_arrives_through_the_jobs(gql):
    clock.set_now(FRIDAY)
    alice = await make_user()
    shop, _ = await make_merchant()
    payment = await third_party_payment(alice, shop, 8_000)
    refund = (await ask_refund(gql, token_for(alice), payment.transaction_no))["refund"]
    with channels.substituted(third_party=RecordingProvider(status=PENDING)):
        accepted = await decide(gql, token_for(await make_staff("SUPPORT")), refund["id"], True)
    assert accepted["refund"]["status"] == "APPROVED"
    await _jobs(MONDAY_AFTER_NINE)
    assert (await _refund(refund["refundNo"])).status == "COMPLETED"
    await assert_ledger_clean()


async def test_pending_refunds_past_their_deadline_are_flagged_once(gql):
    clock.set_now(FRIDAY)
    alice, (shop, _) = await make_user(), await make_merchant()
    await fund(alice, 50_000)
    payment = await wallet_payment(alice, shop, 20_000)
    token, staff = token_for(alice), token_for(await make_staff("SUPPORT"))
    late = (await ask_refund(gql, token, payment.transaction_no, amount="10.00"))["refund"]
    handled = (await ask_refund(gql, token, payment.transaction_no, amount="10.00"))["refund"]
    await decide(gql, staff, handled["id"], False)
    # Deadline: three business days after Friday 10:00 is Wednesday 2026-03-11 10:00 China time.
    assert late["reviewDeadline"].startswith("2026-03-11T02:00:00")

    await _jobs(datetime(2026, 3, 11, 1, 59, tzinfo=UTC))
    assert not (await _refund(late["refundNo"])).overdue
    assert await RiskAlert.filter(type="REFUND_OVERDUE").count() == 0

    summary = await _jobs(datetime(2026, 3, 11, 2, 1, tzinfo=UTC))
    assert summary["refund-deadlines"] == "1 refunds marked overdue"
    assert (await _refund(late["refundNo"])).overdue
    alerts = await RiskAlert.filter(type="REFUND_OVERDUE")
    assert [(a.user_id, a.transaction_id, a.scope) for a in alerts] == [(alice.id, payment.id, f"USER:{alice.id}")]
    assert await OutboxEvent.filter(topic="risk-alerts").count() == 1
    await _jobs(datetime(2026, 3, 12, 2, 0, tzinfo=UTC))
    assert await RiskAlert.filter(type="REFUND_OVERDUE").count() == 1
    staff = token_for(await make_staff("SUPPORT"))  # a fresh token on the moved clock
    queue = (await gql.ok(REVIEW_QUEUE, token=staff))["refundReviewQueue"]["edges"]
    assert [(e["node"]["refundNo"], e["node"]["overdue"]) for e in queue] == [(late["refundNo"], True)]
    # Still reviewable: an overdue refund is late, not dead.
    assert (await decide(gql, staff, late["id"], True))["refund"]["status"] == "COMPLETED"


async def test_ledger_reconciles_after_every_kind_of_refund(gql, test_env):
    clock.set_now(FRIDAY)
    alice, bob = await make_user(real_name="张三"), await make_user(real_name="王五")
    shop, _ = await make_merchant()
    card = await make_card(alice)
    await fund(alice, 100_000)
    staff = token_for(await make_staff("ADMIN"))
    token = token_for(alice)
    made = [
        await wallet_payment(alice, shop, 10_000),
        await card_payment(alice, shop, 20_000, card),
        await third_party_payment(alice, shop, 30_000),
        await transfer(alice, bob, 40_000),
    ]
    refunds = [(await ask_refund(gql, token, tx.transaction_no, amount="50.00"))["refund"] for tx in made]
    rejected = (await ask_refund(gql, token, made[0].transaction_no, amount="10.00"))["refund"]
    with channels.substituted(bank=RecordingBank(), third_party=RecordingProvider()):
        for refund in refunds:
            assert (await decide(gql, staff, refund["id"], True))["errors"] == []
    await decide(gql, staff, rejected["id"], False)
    await _jobs(MONDAY_AFTER_NINE)
    statuses = [(await _refund(r["refundNo"])).status for r in refunds]
    assert statuses == ["COMPLETED"] * 4
    assert await wallet_balance(alice) == (100_000 - 10_000 - 40_000 + 5_000 + 5_000, 0)
    assert await wallet_balance(bob) == (35_000, 0)
    assert [(await Transaction.get(id=tx.id)).refunded_amount for tx in made] == [5_000] * 4
    await assert_ledger_clean()
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; raise SystemExit(main(['reconcile']))"],
        cwd=ROOT, env={**os.environ, **test_env}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ledger clean" in result.stdout
