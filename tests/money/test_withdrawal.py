"""Withdrawals: rules, quote, hold, payout on the next business day, failures, idempotency."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from app import clock
from app.jobs.registry import run_once
from models import IdempotencyRecord, Journal, SandboxMessage, Transaction, User
from models.risk import RiskDecision
from tests.factories import card_number, fund, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.money.support import assert_clean_ledger, bind_card, journals_of, system_balance, withdraw

CHINA = timezone(timedelta(hours=8))
QUOTE = """
query($amount: Money!, $channel: Channel!) {
  withdrawalQuote(amount: $amount, channel: $channel) { amount fee netAmount expectedArrivalAt }
}"""


async def test_quote_fee_is_half_up_and_taken_from_the_amount(gql):
    user = await make_user()
    # 2025-09-30 (Tue) 10:00 in China: National Day and Mid-Autumn close banks until 10-08.
    clock.set_now(datetime(2025, 9, 30, 10, 0, tzinfo=CHINA))
    bank = (await gql.ok(QUOTE, {"amount": "123", "channel": "BANK_CARD"}, token=token_for(user)))["withdrawalQuote"]
    assert bank["amount"] == "123.00"
    assert bank["fee"] == "0.62"  # 0.615 rounds half-up
    assert bank["netAmount"] == "122.38"
    assert datetime.fromisoformat(bank["expectedArrivalAt"]) == datetime(2025, 10, 9, 9, 0, tzinfo=CHINA)
    third = (await gql.ok(QUOTE, {"amount": "123", "channel": "THIRD_PARTY"}, token=token_for(user)))[
        "withdrawalQuote"
    ]
    assert (third["fee"], third["netAmount"]) == ("1.23", "121.77")
    assert datetime.fromisoformat(third["expectedArrivalAt"]) == clock.now()


async def test_quote_on_a_friday_before_a_make_up_saturday(gql):
    user = await make_user()
    clock.set_now(datetime(2025, 10, 10, 15, 0, tzinfo=CHINA))  # Friday; Saturday 10-11 is a working day
    quote = (await gql.ok(QUOTE, {"amount": "100", "channel": "BANK_CARD"}, token=token_for(user)))[
        "withdrawalQuote"
    ]
    assert datetime.fromisoformat(quote["expectedArrivalAt"]) == datetime(2025, 10, 11, 9, 0, tzinfo=CHINA)


async def test_quote_refuses_bad_amounts_and_channels(gql):
    user = await make_user()
    below = await gql(QUOTE, {"amount": "49", "channel": "BANK_CARD"}, token=token_for(user))
    assert below.error_codes() == ["AMOUNT_BELOW_MINIMUM"]
    offline = await gql(QUOTE, {"amount": "100", "channel": "OFFLINE"}, token=token_for(user))
    assert offline.error_codes() == ["VALIDATION_FAILED"]
    anonymous = await gql(QUOTE, {"amount": "100", "channel": "BANK_CARD"})
    assert anonymous.error_codes() == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("amount", "code"),
    [("49", "AMOUNT_BELOW_MINIMUM"), ("50.50", "AMOUNT_NOT_WHOLE_YUAN"), ("0", "INVALID_AMOUNT")],
)
async def test_amount_rules(gql, amount, code):
    user = await make_user()
    await fund(user, 100_000)
    payload = await withdraw(gql, user, amount, channel="THIRD_PARTY")
    assert user_error_codes(payload) == [code]
    assert await wallet_balance(user) == (100_000, 0)


async def test_unverified_user_cannot_withdraw(gql):
    user = await make_user(verified=False)
    await fund(user, 100_000)
    payload = await withdraw(gql, user, "100", channel="THIRD_PARTY")
    assert user_error_codes(payload) == ["REAL_NAME_REQUIRED"]
    assert await wallet_balance(user) == (100_000, 0)


async def test_wrong_payment_password_moves_nothing(gql):
    user = await make_user()
    await fund(user, 100_000)
    payload = await withdraw(gql, user, "100", channel="THIRD_PARTY", pin="000000")
    assert user_error_codes(payload) == ["INVALID_PAYMENT_PASSWORD"]
    assert await wallet_balance(user) == (100_000, 0)
    assert await Transaction.filter(type="WITHDRAWAL").count() == 0


async def test_not_enough_money(gql):
    user = await make_user()
    await fund(user, 9_900)
    payload = await withdraw(gql, user, "100", channel="THIRD_PARTY", key="short")
    assert user_error_codes(payload) == ["INSUFFICIENT_FUNDS"]
    assert await wallet_balance(user) == (9_900, 0)
    assert await Transaction.filter(type="WITHDRAWAL").count() == 0
    # Nothing was kept under the key: once funded, the same key works.
    await fund(user, 100)
    retry = await withdraw(gql, user, "100", channel="THIRD_PARTY", key="short")
    assert retry["errors"] == []


async def test_frozen_account_is_refused_by_the_risk_check(gql):
    user = await make_user()
    await fund(user, 100_000)
    await User.filter(id=user.id).update(status="FROZEN")
    payload = await withdraw(gql, user, "100", channel="THIRD_PARTY")
    assert user_error_codes(payload) == ["ACCOUNT_FROZEN"]
    assert await RiskDecision.filter(user_id=user.id, operation="WITHDRAW", outcome="REJECT").count() == 1
    assert await wallet_balance(user) == (100_000, 0)


async def test_bank_card_withdrawal_holds_then_is_paid_out_on_the_next_business_day(gql):
    user = await make_user()
    card = await bind_card(gql, user, card_number("622588"))
    await fund(user, 100_000)
    clock.set_now(datetime(2025, 9, 30, 10, 0, tzinfo=CHINA))
    payload = await withdraw(gql, user, "200", card=card)
    assert payload["errors"] == []
    tx = payload["transaction"]
    assert (tx["status"], tx["direction"], tx["amount"], tx["fee"], tx["channel"]) == (
        "PENDING", "OUT", "200.00", "1.00", "BANK_CARD",
    )
    assert tx["counterparty"]["name"] == "招商银行"
    arrival = datetime.fromisoformat(tx["expectedArrivalAt"])
    assert arrival == datetime(2025, 10, 9, 9, 0, tzinfo=CHINA)
    assert payload["account"] == {"available": "800.00", "frozen": "200.00", "balance": "1000.00"}
    assert await journals_of(tx["transactionNo"], "HOLD") == 1
    await assert_clean_ledger()

    # During the holiday nothing is paid out.
    await run_once(datetime(2025, 10, 8, 12, 0, tzinfo=CHINA))
    assert (await Transaction.get(transaction_no=tx["transactionNo"])).status == "PENDING"

    results = dict(await run_once(arrival))
    assert results["settle-withdrawals"] == "withdrawals paid out 1, failed and released 0"
    paid = await Transaction.get(transaction_no=tx["transactionNo"])
    assert paid.status == "SUCCEEDED" and paid.completed_at is not None
    assert await wallet_balance(user) == (80_000, 0)
    assert await system_balance("FEE_INCOME") == 100
    assert await system_balance("BANK_CLEARING") == -100_000 + 19_900
    assert await journals_of(tx["transactionNo"], "POST") == 1
    texts = [m.text for m in await SandboxMessage.filter(recipient=user.phone, purpose="BALANCE")]
    assert any("已到账 199.00" in t for t in texts)
    # Running the job again pays nothing twice.
    await run_once(arrival + timedelta(days=1))
    assert await journals_of(tx["transactionNo"]) == 2
    await assert_clean_ledger()


async def test_refused_payout_releases_the_hold(gql):
    user = await make_user()
    card = await bind_card(gql, user, card_number(ending="0002"))
    await fund(user, 100_000)
    tx = (await withdraw(gql, user, "300", card=card))["transaction"]
    assert await wallet_balance(user) == (70_000, 30_000)
    await run_once(datetime.fromisoformat(tx["expectedArrivalAt"]))
    failed = await Transaction.get(transaction_no=tx["transactionNo"])
    assert failed.status == "FAILED"
    assert await wallet_balance(user) == (100_000, 0)
    assert await journals_of(tx["transactionNo"], "RELEASE") == 1
    assert await journals_of(tx["transactionNo"], "POST") == 0
    assert await system_balance("FEE_INCOME") == 0
    await assert_clean_ledger()


async def test_third_party_withdrawal_is_paid_out_at_once(gql):
    user = await make_user()
    await fund(user, 100_000)
    payload = await withdraw(gql, user, "500", channel="THIRD_PARTY")
    tx = payload["transaction"]
    assert (tx["status"], tx["fee"]) == ("SUCCEEDED", "5.00")
    assert payload["account"] == {"available": "500.00", "frozen": "0.00", "balance": "500.00"}
    assert await system_balance("THIRD_PARTY_CLEARING") == 49_500
    assert await system_balance("FEE_INCOME") == 500
    await assert_clean_ledger()


async def test_bank_card_is_required_for_bank_withdrawals(gql):
    user, other = await make_user(), await make_user()
    await fund(user, 100_000)
    assert user_error_codes(await withdraw(gql, user, "100")) == ["VALIDATION_FAILED"]
    foreign = await bind_card(gql, other)
    assert user_error_codes(await withdraw(gql, user, "100", card=foreign)) == ["NOT_FOUND"]
    assert await wallet_balance(user) == (100_000, 0)


async def test_replay_returns_the_first_result_and_moves_nothing(gql):
    user = await make_user()
    card = await bind_card(gql, user)
    await fund(user, 100_000)
    first = await withdraw(gql, user, "100", card=card, key="w-1")
    replay = await withdraw(gql, user, "100", card=card, key="w-1")
    assert replay["transaction"] == first["transaction"]
    assert await wallet_balance(user) == (90_000, 10_000)
    reused = await withdraw(gql, user, "200", card=card, key="w-1")
    assert user_error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await Transaction.filter(type="WITHDRAWAL").count() == 1
    # The same key is the user's own: another user may use it freely.
    other = await make_user()
    await fund(other, 100_000)
    assert (await withdraw(gql, other, "100", channel="THIRD_PARTY", key="w-1"))["errors"] == []


async def test_concurrent_requests_with_one_key_make_one_journal(gql):
    user = await make_user()
    await fund(user, 100_000)
    payloads = await asyncio.gather(
        *(withdraw(gql, user, "100", channel="THIRD_PARTY", key="same-key") for _ in range(8))
    )
    assert all(p["errors"] == [] for p in payloads)
    assert len({p["transaction"]["transactionNo"] for p in payloads}) == 1
    tx = await Transaction.get(type="WITHDRAWAL")
    assert await Journal.filter(transaction_id=tx.id, kind="HOLD").count() == 1
    assert await Journal.filter(transaction_id=tx.id, kind="POST").count() == 1
    assert await IdempotencyRecord.filter(user_id=user.id).count() == 1
    assert await wallet_balance(user) == (90_000, 0)
    await assert_clean_ledger()


async def test_fifty_concurrent_withdrawals_against_a_wallet_that_affords_ten(gql):
    user = await make_user()
    await fund(user, 10 * 10_000)
    payloads = await asyncio.gather(*(withdraw(gql, user, "100", channel="THIRD_PARTY") for _ in range(50)))
    codes = [tuple(user_error_codes(p)) for p in payloads]
    assert codes.count(()) == 10
    assert codes.count(("INSUFFICIENT_FUNDS",)) == 40
    assert await wallet_balance(user) == (0, 0)
    assert await Transaction.filter(type="WITHDRAWAL", status="SUCCEEDED").count() == 10
    await assert_clean_ledger()


async def test_refused_third_party_payout_releases_and_replays_the_failure(gql, refusing_provider):
    user = await make_user()
    await fund(user, 100_000)
    payload = await withdraw(gql, user, "100", channel="THIRD_PARTY", key="refused")
    assert user_error_codes(payload) == ["CHANNEL_DECLINED"]
    assert await wallet_balance(user) == (100_000, 0)
    tx = await Transaction.get(type="WITHDRAWAL")
    assert tx.status == "FAILED"
    assert await Journal.filter(transaction_id=tx.id).order_by("id").values_list("kind", flat=True) == ["HOLD", "RELEASE"]
    replay = await withdraw(gql, user, "100", channel="THIRD_PARTY", key="refused")
    assert replay["errors"] == payload["errors"]
    assert await Journal.all().count() == 3  # the funding journal, the hold and its release
    await assert_clean_ledger()
