"""Top-ups by bank card, third party and offline remittance, through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock, runtime
from app.jobs.registry import run_once
from models import Journal, SandboxMessage, Transaction
from models.risk import RiskAlert
from tests.factories import card_number, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.money.support import TOP_UP, assert_clean_ledger, bind_card, journals_of, system_balance, top_up


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("9", "AMOUNT_BELOW_MINIMUM"),
        ("10.50", "AMOUNT_NOT_WHOLE_YUAN"),
        ("0.01", "AMOUNT_NOT_WHOLE_YUAN"),
        ("0", "INVALID_AMOUNT"),
        ("-20", "INVALID_AMOUNT"),
    ],
)
async def test_amount_rules(gql, amount, code):
    user = await make_user()
    card = await bind_card(gql, user)
    payload = await top_up(gql, user, amount, card=card)
    assert user_error_codes(payload) == [code]
    assert payload["errors"][0]["field"] == ["input", "amount"]
    assert await Transaction.all().count() == 0


@pytest.mark.parametrize("amount", ["1e3", "NaN", "10.001", " ", "ten", "Infinity"])
async def test_malformed_money_is_a_request_error(gql, amount):
    user = await make_user()
    result = await gql(
        TOP_UP, {"input": {"amount": amount, "channel": "THIRD_PARTY", "idempotencyKey": "k"}}, token=token_for(user)
    )
    assert result.errors and not result.data
    assert await Transaction.all().count() == 0


async def test_bank_card_top_up_completes_at_once(gql):
    user = await make_user()
    card = await bind_card(gql, user, card_number("621700"))
    payload = await top_up(gql, user, "100", card=card)
    assert payload["errors"] == []
    tx = payload["transaction"]
    assert (tx["type"], tx["status"], tx["direction"], tx["amount"], tx["fee"], tx["channel"]) == (
        "TOP_UP", "SUCCEEDED", "IN", "100.00", "0.00", "BANK_CARD",
    )
    assert tx["counterparty"]["name"] == "中国建设银行"
    assert tx["counterparty"]["account"].startswith("621700") and "******" in tx["counterparty"]["account"]
    assert payload["account"] == {"available": "100.00", "frozen": "0.00", "balance": "100.00"}
    assert await wallet_balance(user) == (10_000, 0)
    assert await journals_of(tx["transactionNo"], "POST") == 1
    assert await system_balance("BANK_CLEARING") == -10_000
    sms = await SandboxMessage.filter(recipient=user.phone, purpose="BALANCE").first()
    assert sms is not None and "100.00" in sms.text
    await assert_clean_ledger()


async def test_unverified_user_may_top_up(gql):
    user = await make_user(verified=False)
    payload = await top_up(gql, user, "10", channel="THIRD_PARTY")
    assert payload["errors"] == [] and payload["transaction"]["status"] == "PENDING"


@pytest.mark.parametrize(("ending", "reason"), [("0002", "拒绝"), ("0051", "余额不足")])
async def test_declined_card_moves_no_money_and_replays_the_failure(gql, ending, reason):
    user = await make_user()
    card = await bind_card(gql, user, card_number(ending=ending))
    payload = await top_up(gql, user, "50", card=card, key="declined")
    assert user_error_codes(payload) == ["CHANNEL_DECLINED"]
    assert reason in payload["errors"][0]["message"]
    assert payload["transaction"] is None
    replay = await top_up(gql, user, "50", card=card, key="declined")
    assert replay["errors"] == payload["errors"]
    assert await wallet_balance(user) == (0, 0)
    assert await Journal.all().count() == 0
    (tx,) = await Transaction.all()
    assert tx.status == "FAILED"
    await assert_clean_ledger()


async def test_bank_card_is_required_and_must_be_ones_own(gql):
    user, other = await make_user(), await make_user()
    missing = await top_up(gql, user, "50")
    assert user_error_codes(missing) == ["VALIDATION_FAILED"]
    assert missing["errors"][0]["field"] == ["input", "bankCardId"]
    foreign = await top_up(gql, user, "50", card=await bind_card(gql, other))
    assert user_error_codes(foreign) == ["NOT_FOUND"]
    garbage = await top_up(gql, user, "50", card="not-an-id")
    assert user_error_codes(garbage) == ["NOT_FOUND"]
    assert await Transaction.all().count() == 0


async def test_wallet_balance_is_not_a_top_up_channel(gql):
    user = await make_user()
    payload = await top_up(gql, user, "50", channel="WALLET_BALANCE")
    assert user_error_codes(payload) == ["VALIDATION_FAILED"]


async def test_third_party_top_up_waits_for_the_provider(gql, http):
    user = await make_user()
    payload = await top_up(gql, user, "30", channel="THIRD_PARTY")
    tx = payload["transaction"]
    number = tx["transactionNo"]
    assert tx["status"] == "PENDING"
    assert tx["checkoutUrl"] == f"{runtime.settings().public_url}/sandbox/checkout/{number}"
    assert await wallet_balance(user) == (0, 0)
    page = await http.get(f"/sandbox/checkout/{number}")
    assert page.status_code == 200 and "30.00" in page.text
    done = await http.post(f"/sandbox/checkout/{number}/complete")
    assert done.status_code == 200 and done.json()["status"] == "processed"
    assert await wallet_balance(user) == (3_000, 0)
    again = await http.post(f"/sandbox/checkout/{number}/complete")
    assert again.json()["status"] == "ignored"
    assert await wallet_balance(user) == (3_000, 0)
    assert await journals_of(number, "POST") == 1
    assert await system_balance("THIRD_PARTY_CLEARING") == -3_000
    await assert_clean_ledger()


async def test_failed_third_party_checkout_moves_nothing(gql, http):
    user = await make_user()
    number = (await top_up(gql, user, "30", channel="THIRD_PARTY"))["transaction"]["transactionNo"]
    failed = await http.post(f"/sandbox/checkout/{number}/fail")
    assert failed.json()["transactionStatus"] == "FAILED"
    late = await http.post(f"/sandbox/checkout/{number}/complete")
    assert late.json()["status"] == "ignored"
    assert await wallet_balance(user) == (0, 0)
    assert await RiskAlert.filter(type="CHANNEL_LATE_CONFIRMATION").count() == 1
    await assert_clean_ledger()


async def test_offline_top_up_waits_for_the_bank_notice(gql, http):
    user = await make_user()
    tx = (await top_up(gql, user, "2000", channel="OFFLINE"))["transaction"]
    assert tx["status"] == "PENDING" and tx["checkoutUrl"] is None
    stored = await Transaction.get(transaction_no=tx["transactionNo"])
    reference = stored.external_ref
    assert reference and reference in tx["description"]
    arrived = await http.post(f"/sandbox/deposits/{reference}/arrive")
    assert arrived.status_code == 200 and arrived.json()["transactionStatus"] == "SUCCEEDED"
    assert await wallet_balance(user) == (200_000, 0)
    assert await system_balance("OFFLINE_CLEARING") == -200_000
    await assert_clean_ledger()


async def test_stale_pending_third_party_top_ups_expire(gql, http):
    user = await make_user()
    start = clock.now()
    clock.set_now(start)
    old = (await top_up(gql, user, "30", channel="THIRD_PARTY"))["transaction"]["transactionNo"]
    clock.set_now(start + timedelta(minutes=20))
    fresh = (await top_up(gql, user, "40", channel="THIRD_PARTY"))["transaction"]["transactionNo"]
    offline = (await top_up(gql, user, "50", channel="OFFLINE"))["transaction"]["transactionNo"]
    results = dict(await run_once(start + timedelta(minutes=31)))
    assert results["expire-pending"] == "expired 1 stale pending transactions"
    statuses = {t.transaction_no: t.status for t in await Transaction.all()}
    assert statuses == {old: "FAILED", fresh: "PENDING", offline: "PENDING"}
    late = await http.post(f"/sandbox/checkout/{old}/complete")
    assert late.json()["status"] == "ignored"
    assert await wallet_balance(user) == (0, 0)
    await run_once(start + timedelta(days=8))
    assert (await Transaction.get(transaction_no=offline)).status == "FAILED"
    await assert_clean_ledger()


async def test_top_up_replay_returns_the_first_result(gql):
    user = await make_user()
    card = await bind_card(gql, user)
    first = await top_up(gql, user, "100", card=card, key="same")
    replay = await top_up(gql, user, "100", card=card, key="same")
    assert replay["transaction"] == first["transaction"]
    assert await wallet_balance(user) == (10_000, 0)
    reused = await top_up(gql, user, "200", card=card, key="same")
    assert user_error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await Transaction.all().count() == 1 and await Journal.all().count() == 1


async def test_refused_checkout_is_channel_declined(gql, refusing_provider):
    user = await make_user()
    payload = await top_up(gql, user, "100", channel="THIRD_PARTY", key="refused")
    assert user_error_codes(payload) == ["CHANNEL_DECLINED"]
    assert (await Transaction.get(type="TOP_UP")).status == "FAILED"
    replay = await top_up(gql, user, "100", channel="THIRD_PARTY", key="refused")
    assert replay["errors"] == payload["errors"]
    assert await Transaction.all().count() == 1
