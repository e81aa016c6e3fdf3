"""Buying wealth products: the happy path, every refusal, step-up, and idempotent replays."""

from __future__ import annotations

from app.identity.codes import send_code
from app.ledger.reconcile import reconcile
from models import Journal, OutboxEvent, Posting, Transaction
from models.wealth import Holding
from schema.node import to_global_id
from tests.factories import fund, latest_code, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.wealth.support import (
    PURCHASE,
    at,
    china,
    custody_balance,
    make_product,
    purchase_input,
    set_tolerance,
)


async def _buyer(*, tolerance: str | None = "C3", balance: int = 10_000_00, verified: bool = True):  # noqa: ANN202
    user = await make_user(verified=verified)
    await set_tolerance(user, tolerance)
    if balance:
        await fund(user, balance)
    return user


async def test_purchase_moves_money_to_custody_and_creates_a_holding(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(type="FIXED_DEPOSIT", rate="3.00", term_days=30, risk_level="R2", min_purchase=100_00)
    user = await _buyer()
    payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, "1000.00")}, token=token_for(user))
    assert payload["errors"] == []
    holding = payload["holding"]
    assert holding["principal"] == "1000.00"
    assert holding["accruedIncome"] == "0.00"
    assert holding["redeemable"] == "0.00"  # fixed term: nothing may leave before maturity
    assert holding["status"] == "HOLDING"
    assert holding["product"]["code"] == product.code
    assert holding["maturesAt"].startswith("2026-04-01T16:00:00")  # 2026-04-02 00:00 China time
    tx = payload["transaction"]
    assert (tx["type"], tx["status"], tx["direction"]) == ("WEALTH_PURCHASE", "SUCCEEDED", "OUT")
    assert tx["amount"] == "1000.00"
    assert tx["counterparty"]["name"] == product.name

    assert await wallet_balance(user) == (9_000_00, 0)
    assert await custody_balance() == 1000_00
    row = await Transaction.get(transaction_no=tx["transactionNo"])
    journals = await Journal.filter(transaction_id=row.id)
    assert [j.kind for j in journals] == ["POST"]
    assert sorted(p.amount for p in await Posting.filter(journal_id=journals[0].id)) == [-1000_00, 1000_00]
    assert row.reference_id == (await Holding.get()).id

    # balanceChanged: published after commit on the wallet's topic.
    events = await OutboxEvent.filter(topic=f"balance:{row.account_id}")
    events = [e for e in events if e.payload["delta"] == -1000_00]
    assert len(events) == 1 and events[0].published_at is not None
    assert events[0].payload["available"] == 9_000_00
    assert (await reconcile()).clean


async def _refusal(gql, user, product, amount: str = "1000.00", **overrides) -> dict:  # noqa: ANN001
    payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, amount, **overrides)}, token=token_for(user))
    assert payload["holding"] is None and payload["transaction"] is None
    return payload


async def _nothing_moved(user, balance: int = 10_000_00) -> None:  # noqa: ANN001
    assert await wallet_balance(user) == (balance, 0)
    assert await Holding.all().count() == 0
    assert await Transaction.filter(type="WEALTH_PURCHASE").count() == 0
    assert await custody_balance() == 0


async def test_unverified_users_may_not_buy(gql):
    product = await make_product()
    user = await _buyer(verified=False, balance=500_00)
    payload = await _refusal(gql, user, product, "100.00")
    assert user_error_codes(payload) == ["REAL_NAME_REQUIRED"]
    await _nothing_moved(user, 500_00)


async def test_products_not_on_sale_are_refused(gql):
    user = await _buyer()
    for status in ("SOLD_OUT", "CLOSED"):
        product = await make_product(status=status)
        payload = await _refusal(gql, user, product)
        assert user_error_codes(payload) == ["PRODUCT_NOT_ON_SALE"]
        assert payload["errors"][0]["field"] == ["input", "productId"]
    missing = await _refusal(
        gql, user, product, productId=to_global_id("WealthProduct", 9999)
    )
    assert user_error_codes(missing) == ["NOT_FOUND"]
    await _nothing_moved(user)


async def test_amount_below_minimum_is_refused(gql):
    product = await make_product(min_purchase=1000_00)
    user = await _buyer()
    payload = await _refusal(gql, user, product, "999.99")
    assert user_error_codes(payload) == ["AMOUNT_BELOW_MINIMUM"]
    assert "1000.00" in payload["errors"][0]["message"]
    assert user_error_codes(await _refusal(gql, user, product, "-1000.00")) == ["INVALID_AMOUNT"]
    await _nothing_moved(user)


async def test_risk_disclosure_must_be_accepted(gql):
    product = await make_product()
    user = await _buyer()
    payload = await _refusal(gql, user, product, acceptRiskDisclosure=False)
    assert user_error_codes(payload) == ["RISK_DISCLOSURE_NOT_ACCEPTED"]
    assert payload["errors"][0]["field"] == ["input", "acceptRiskDisclosure"]
    await _nothing_moved(user)


async def test_risk_tolerance_must_cover_the_product_level(gql):
    r3 = await make_product(risk_level="R3")
    unassessed = await _buyer(tolerance=None)
    assert user_error_codes(await _refusal(gql, unassessed, r3)) == ["RISK_TOLERANCE_TOO_LOW"]
    await _nothing_moved(unassessed)
    cautious = await _buyer(tolerance="C2")
    assert user_error_codes(await _refusal(gql, cautious, r3)) == ["RISK_TOLERANCE_TOO_LOW"]
    # Equal level is enough; so is a higher tolerance.
    for tolerance in ("C3", "C5"):
        user = await _buyer(tolerance=tolerance)
        payload = await gql.mutate(PURCHASE, {"input": purchase_input(r3, "100.00")}, token=token_for(user))
        assert payload["errors"] == [], tolerance


async def test_wrong_payment_password_is_refused_and_counted(gql):
    product = await make_product()
    user = await _buyer()
    payload = await _refusal(gql, user, product, paymentPassword="000000")
    assert user_error_codes(payload) == ["INVALID_PAYMENT_PASSWORD"]
    assert "4" in payload["errors"][0]["message"]  # tries left
    await _nothing_moved(user)


async def test_short_wallet_is_refused_with_nothing_written(gql):
    product = await make_product()
    user = await _buyer(balance=50_00)
    payload = await _refusal(gql, user, product, "50.01")
    assert user_error_codes(payload) == ["INSUFFICIENT_FUNDS"]
    await _nothing_moved(user, 50_00)


async def test_large_purchase_needs_a_verification_code(gql):
    product = await make_product()
    user = await _buyer(balance=20_000_00)
    key = purchase_input(product, "6000.00")["idempotencyKey"]
    payload = await _refusal(gql, user, product, "6000.00", idempotencyKey=key)
    assert user_error_codes(payload) == ["VERIFICATION_REQUIRED"]
    assert await Holding.all().count() == 0
    await send_code(user.phone, "PAYMENT")
    code = await latest_code(user.phone, "PAYMENT")
    payload = await gql.mutate(
        PURCHASE,
        {"input": purchase_input(product, "6000.00", idempotencyKey=key, verificationCode=code)},
        token=token_for(user),
    )
    assert payload["errors"] == []
    assert await wallet_balance(user) == (14_000_00, 0)


async def test_daily_outgoing_limit_applies_to_purchases(gql):
    product = await make_product()
    user = await _buyer(balance=60_000_00)
    for _ in range(10):
        payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, "5000.00")}, token=token_for(user))
        assert payload["errors"] == []
    payload = await _refusal(gql, user, product, "1.00")
    assert user_error_codes(payload) == ["LIMIT_EXCEEDED"]
    assert await wallet_balance(user) == (10_000_00, 0)


async def test_replay_returns_the_first_purchase_without_moving_money_again(gql):
    product = await make_product()
    user = await _buyer()
    token = token_for(user)
    data = purchase_input(product, "300.00")
    first = await gql.mutate(PURCHASE, {"input": data}, token=token)
    assert first["errors"] == []
    again = await gql.mutate(PURCHASE, {"input": data}, token=token)
    assert again["errors"] == []
    assert again["holding"]["id"] == first["holding"]["id"]
    assert again["transaction"]["id"] == first["transaction"]["id"]
    # Still the first result after the product stopped selling.
    product.status = "SOLD_OUT"
    await product.save()
    later = await gql.mutate(PURCHASE, {"input": data}, token=token)
    assert later["errors"] == [] and later["transaction"]["id"] == first["transaction"]["id"]

    reused = await gql.mutate(PURCHASE, {"input": {**data, "amount": "301.00"}}, token=token)
    assert user_error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await wallet_balance(user) == (9_700_00, 0)
    assert await Holding.all().count() == 1
    assert await Transaction.filter(type="WEALTH_PURCHASE").count() == 1
    assert (await reconcile()).clean


async def test_purchase_needs_a_signed_in_user(gql):
    product = await make_product()
    result = await gql(PURCHASE, {"input": purchase_input(product, "100.00")})
    assert result.error_codes() == ["UNAUTHENTICATED"]
