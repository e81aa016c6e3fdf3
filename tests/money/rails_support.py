"""Scenarios of external rails against the REAL sandbox channels (wired as `fenpay serve` wires
them: app/channels/registry.py, no substitutes), shared by the in-process tests and the
real-server tests. ``gql``/``http`` talk to either; jobs run on demand at an injected instant."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from app.business_days import next_business_day_start
from app.ledger.accounts import balance_of, system_account
from app.ledger.reconcile import reconcile
from models import Account, Merchant, Transaction, User
from models.channels import SandboxChannelOperation
from tests.factories import DEFAULT_PIN, card_number, make_merchant, make_staff, make_user, token_for, wallet_balance
from tests.harness.graphql import GraphQLClient
from tests.history.docs import ask_refund, decide
from tests.money.support import REMOVE_CARD, bind_card, top_up, withdraw
from tests.payments.support import PAY

Jobs = Callable[[datetime], Awaitable[dict[str, str]]]
GRACE_PASSED = timedelta(minutes=3)  # beyond FENPAY_PROCESSING_GRACE_SECONDS (120 s)


@dataclass
class Rails:
    gql: GraphQLClient
    http: httpx.AsyncClient
    jobs: Jobs

    async def pay(self, user: User, merchant: Merchant, amount: str, channel: str, **extra: Any) -> dict[str, Any]:
        variables = {
            "merchantNo": merchant.merchant_no, "amount": amount, "channel": channel,
            "paymentPassword": DEFAULT_PIN, "idempotencyKey": extra.pop("key", secrets.token_hex(8)), **extra,
        }
        return await self.gql.mutate(PAY, {"input": variables}, token=token_for(user))

    async def status(self, transaction_no: str) -> str:
        return (await Transaction.get(transaction_no=transaction_no)).status

    async def refund_everything(self, payer: User, transaction_no: str, amount: str) -> dict[str, Any]:
        asked = await ask_refund(self.gql, token_for(payer), transaction_no, amount=amount, reason="PROCESSING_ERROR")
        assert asked["errors"] == [], asked
        staff = token_for(await make_staff("SUPPORT"))
        decided = await decide(self.gql, staff, asked["refund"]["id"], True)
        assert decided["errors"] == [], decided
        return decided["refund"]


async def merchant_total(merchant: Merchant) -> int:
    return (await balance_of(await Account.get(id=merchant.account_id))).available


async def clearing(code: str) -> int:
    return (await balance_of(await system_account(code))).available


async def assert_reconciled() -> None:
    report = await reconcile()
    assert report.clean, report.breaks


async def refunds_arrive_through_real_channels(rails: Rails, now: datetime) -> None:
    """A card payment and a third-party payment are refunded in full on approval and the
    money arrives after the jobs run (the sandbox records each payout it made)."""
    payer = await make_user()
    merchant, _ = await make_merchant()
    card = await bind_card(rails.gql, payer, card_number())
    by_card = await rails.pay(payer, merchant, "100.00", "BANK_CARD", bankCardId=card)
    assert by_card["errors"] == [] and by_card["transaction"]["status"] == "SUCCEEDED", by_card
    checkout = await rails.pay(payer, merchant, "50.00", "THIRD_PARTY")
    assert checkout["transaction"]["status"] == "PENDING" and checkout["transaction"]["checkoutUrl"]
    third_no = checkout["transaction"]["transactionNo"]
    finished = await rails.http.post(f"/sandbox/checkout/{third_no}/complete")
    assert finished.status_code == 200, finished.text
    assert await rails.status(third_no) == "SUCCEEDED"
    assert await merchant_total(merchant) == 150_00

    card_refund = await rails.refund_everything(payer, by_card["transaction"]["transactionNo"], "100.00")
    assert card_refund["status"] == "APPROVED"
    assert card_refund["refundTransaction"]["status"] == "PROCESSING"
    assert card_refund["refundTransaction"]["expectedArrivalAt"] is not None
    third_refund = await rails.refund_everything(payer, third_no, "50.00")
    assert third_refund["status"] == "COMPLETED"
    assert third_refund["refundTransaction"]["status"] == "SUCCEEDED"
    assert await merchant_total(merchant) == 0

    await rails.jobs(next_business_day_start(now) + timedelta(minutes=5))
    assert await rails.status(card_refund["refundTransaction"]["transactionNo"]) == "SUCCEEDED"
    payouts = await SandboxChannelOperation.filter(operation="PAYOUT").values_list("reference", "amount")
    assert sorted(payouts) == sorted([
        (card_refund["refundTransaction"]["transactionNo"], 100_00),
        (third_refund["refundTransaction"]["transactionNo"], 50_00),
    ])
    await assert_reconciled()


async def faulty_cards_end_final(rails: Rails, now: datetime) -> None:
    """0091 (done, answer lost) and 0092 (not done, no answer): top-up, card payment,
    withdrawal and (0091) refund each end SUCCEEDED or FAILED after the recovery job."""
    user = await make_user()
    merchant, _ = await make_merchant()
    done_card = await bind_card(rails.gql, user, card_number(ending="0091"))
    lost_card = await bind_card(rails.gql, user, card_number(ending="0092"))

    # Top-ups: no answer -> PROCESSING (never CHANNEL_DECLINED), a retry answers the same movement.
    top_ups = {}
    for name, card in (("done", done_card), ("lost", lost_card)):
        key = f"top-up-{name}"
        first = await top_up(rails.gql, user, "200", card=card, key=key)
        again = await top_up(rails.gql, user, "200", card=card, key=key)
        assert first["errors"] == [] and again["errors"] == [], (first, again)
        assert first["transaction"]["status"] == "PROCESSING"
        assert again["transaction"]["transactionNo"] == first["transaction"]["transactionNo"]
        top_ups[name] = first["transaction"]["transactionNo"]
    assert await wallet_balance(user) == (0, 0)

    payments = {}
    for name, card in (("done", done_card), ("lost", lost_card)):
        paid = await rails.pay(user, merchant, "30.00", "BANK_CARD", bankCardId=card, key=f"pay-{name}")
        again = await rails.pay(user, merchant, "30.00", "BANK_CARD", bankCardId=card, key=f"pay-{name}")
        assert paid["errors"] == [] and paid["transaction"]["status"] == "PROCESSING", paid
        assert again["transaction"]["transactionNo"] == paid["transaction"]["transactionNo"], again
        payments[name] = paid["transaction"]["transactionNo"]
    assert await merchant_total(merchant) == 0
    removal = await rails.gql.mutate(
        REMOVE_CARD, {"input": {"bankCardId": lost_card, "paymentPassword": DEFAULT_PIN}}, token=token_for(user)
    )
    assert [e["code"] for e in removal["errors"]] != [], "a card with a movement in flight is kept"

    await rails.jobs(now + GRACE_PASSED)
    assert [await rails.status(top_ups[n]) for n in ("done", "lost")] == ["SUCCEEDED", "FAILED"]
    assert [await rails.status(payments[n]) for n in ("done", "lost")] == ["SUCCEEDED", "FAILED"]
    assert await wallet_balance(user) == (200_00, 0)
    assert await merchant_total(merchant) == 30_00
    removal = await rails.gql.mutate(
        REMOVE_CARD, {"input": {"bankCardId": lost_card, "paymentPassword": DEFAULT_PIN}}, token=token_for(user)
    )
    assert removal["errors"] == [] and removal["ok"] is True, removal
    lost_card = await bind_card(rails.gql, user, card_number(ending="0092"))

    # Refund of the 0091 payment: the payout is made but its answer is lost.
    refund = await rails.refund_everything(user, payments["done"], "30.00")
    assert refund["status"] == "APPROVED" and refund["refundTransaction"]["status"] == "PROCESSING"
    refund_no = refund["refundTransaction"]["transactionNo"]
    assert await merchant_total(merchant) == 30_00  # nothing posted while the outcome is unknown

    # Bank-card withdrawals: held at once, paid out by the payout job on the next business day.
    withdrawals = {}
    for name, card in (("done", done_card), ("lost", lost_card)):
        out = await withdraw(rails.gql, user, "50", card=card)
        assert out["errors"] == [] and out["transaction"]["status"] == "PENDING", out
        withdrawals[name] = out["transaction"]["transactionNo"]
    assert await wallet_balance(user) == (100_00, 100_00)

    payout_at = next_business_day_start(now + GRACE_PASSED) + timedelta(minutes=1)
    await rails.jobs(payout_at)
    assert [await rails.status(withdrawals[n]) for n in ("done", "lost")] == ["PROCESSING", "PROCESSING"]
    assert await wallet_balance(user) == (100_00, 100_00)  # held once, still held
    assert await merchant_total(merchant) == 0  # the refund was found paid and posted
    await rails.jobs(payout_at + GRACE_PASSED)
    assert [await rails.status(withdrawals[n]) for n in ("done", "lost")] == ["SUCCEEDED", "FAILED"]
    assert await wallet_balance(user) == (150_00, 0)
    assert await rails.status(refund_no) == "PROCESSING"  # posted, arriving the next business day
    await rails.jobs(next_business_day_start(payout_at) + timedelta(minutes=5))
    assert await rails.status(refund_no) == "SUCCEEDED"
    assert await Transaction.filter(status="PROCESSING").count() == 0
    await assert_reconciled()
