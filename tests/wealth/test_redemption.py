"""Redemption: partial and full for open-ended products, maturity by the job for fixed terms."""

from __future__ import annotations

from app.ledger.reconcile import reconcile
from app.wealth.rates import INCOME_DENOMINATOR
from models import OutboxEvent, Transaction
from models.wealth import Holding
from schema.node import to_global_id
from tests.factories import fund, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.wealth.support import (
    HOLDING_FIELDS,
    HOLDINGS,
    PURCHASE,
    REDEEM,
    at,
    china,
    custody_balance,
    make_product,
    purchase_input,
    redeem_input,
    run_jobs,
    set_tolerance,
)


async def _holder(gql, product, amount: str, *, balance: int = 5000_00):  # noqa: ANN001, ANN202
    user = await make_user()
    await set_tolerance(user, "C5")
    await fund(user, balance)
    payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, amount)}, token=token_for(user))
    assert payload["errors"] == []
    return user, payload["holding"]["id"]


async def _redeem(gql, user, holding_id: str, amount: str | None = None, **overrides) -> dict:  # noqa: ANN001
    return await gql.mutate(REDEEM, {"input": redeem_input(holding_id, amount, **overrides)}, token=token_for(user))


async def test_partial_then_full_redemption_of_an_open_ended_holding(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="2.85")
    user, holding_id = await _holder(gql, product, "4321.09")
    await run_jobs(china(2026, 3, 13, 1, 0))  # ten days: 3.37 income
    at(china(2026, 3, 13, 9, 30))
    (holding,) = (await gql.ok(HOLDINGS, token=token_for(user)))["holdings"]
    assert (holding["principal"], holding["accruedIncome"], holding["redeemable"]) == ("4321.09", "3.37", "4324.46")

    # 100.00 takes the 3.37 of income first, then 96.63 of principal.
    payload = await _redeem(gql, user, holding_id, "100.00")
    assert payload["errors"] == []
    assert payload["holding"]["principal"] == "4224.46"
    assert payload["holding"]["accruedIncome"] == "0.00"
    assert payload["holding"]["status"] == "HOLDING"
    tx = payload["transaction"]
    assert (tx["type"], tx["status"], tx["direction"]) == ("WEALTH_REDEMPTION", "SUCCEEDED", "IN")
    assert tx["amount"] == "100.00"
    assert await wallet_balance(user) == (5000_00 - 4321_09 + 100_00, 0)
    assert await custody_balance() == 4224_46

    # The next day earns on the principal left: 422446 x 2.85% / 365 plus the carried remainder.
    remainder = (await Holding.get()).income_remainder
    await run_jobs(china(2026, 3, 14, 1, 0))
    expected = (422446 * 285 + remainder) // INCOME_DENOMINATOR
    assert expected == 33
    assert (await Holding.get()).accrued_income == expected

    # No amount: everything redeemable, and the holding is REDEEMED.
    payload = await _redeem(gql, user, holding_id)
    assert payload["errors"] == []
    assert payload["transaction"]["amount"] == "4224.79"
    assert payload["holding"]["status"] == "REDEEMED"
    assert payload["holding"]["redeemable"] == "0.00"
    assert payload["holding"]["redeemedAt"] is not None
    assert await wallet_balance(user) == (5000_00 + 337 + 33, 0)
    assert await custody_balance() == 0
    assert (await gql.ok(HOLDINGS, token=token_for(user)))["holdings"] == []
    everything = (await gql.ok(HOLDINGS, {"all": True}, token=token_for(user)))["holdings"]
    assert [h["status"] for h in everything] == ["REDEEMED"]

    # balanceChanged for both redemptions, after commit.
    events = [e for e in await OutboxEvent.filter(topic__startswith="balance:") if e.payload["delta"] > 0]
    assert sorted(e.payload["delta"] for e in events if e.payload["transactionId"]) == [100_00, 4224_79]
    assert all(e.published_at is not None for e in events)

    again = await _redeem(gql, user, holding_id, "1.00")
    assert user_error_codes(again) == ["INVALID_STATE"]
    assert (await reconcile()).clean


async def test_redemption_first_accrues_the_days_already_complete(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="2.85")
    user, holding_id = await _holder(gql, product, "4321.09")
    at(china(2026, 3, 5, 10, 0))  # no job has run; 3 and 4 March are complete (0.67)
    payload = await _redeem(gql, user, holding_id)
    assert payload["errors"] == []
    assert payload["transaction"]["amount"] == "4321.76"
    assert await Transaction.filter(type="WEALTH_INCOME").count() == 2
    await run_jobs(china(2026, 3, 9, 1, 0))  # a redeemed holding earns nothing more
    assert await Transaction.filter(type="WEALTH_INCOME").count() == 2
    assert await wallet_balance(user) == (5000_00 + 67, 0)
    assert (await reconcile()).clean


async def test_redemption_refusals(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="2.85")
    user, holding_id = await _holder(gql, product, "1000.00")
    other, _ = await _holder(gql, product, "10.00")
    at(china(2026, 3, 3, 10, 0))

    too_much = await _redeem(gql, user, holding_id, "1000.01")
    assert user_error_codes(too_much) == ["INVALID_AMOUNT"] and "1000.00" in too_much["errors"][0]["message"]
    assert user_error_codes(await _redeem(gql, user, holding_id, "0")) == ["INVALID_AMOUNT"]
    assert user_error_codes(await _redeem(gql, user, holding_id, "-5.00")) == ["INVALID_AMOUNT"]
    wrong_pin = await _redeem(gql, user, holding_id, "10.00", paymentPassword="000000")
    assert user_error_codes(wrong_pin) == ["INVALID_PAYMENT_PASSWORD"]
    # Someone else's holding, a missing one and a malformed id all look the same.
    for foreign in (holding_id, to_global_id("Holding", 9999), "garbage"):
        payload = await _redeem(gql, other, foreign, "1.00")
        assert user_error_codes(payload) == ["NOT_FOUND"], foreign
    anonymous = await gql(REDEEM, {"input": redeem_input(holding_id, "1.00")})
    assert anonymous.error_codes() == ["UNAUTHENTICATED"]
    assert (await Holding.get(user_id=user.id)).principal == 1000_00
    assert await Transaction.filter(type="WEALTH_REDEMPTION").count() == 0


async def test_fixed_term_refuses_early_redemption_and_matures_by_job(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(type="FIXED_DEPOSIT", rate="3.00", term_days=30, risk_level="R2")
    user, holding_id = await _holder(gql, product, "1000.00")

    at(china(2026, 3, 20, 10, 0))
    early = await _redeem(gql, user, holding_id, "10.00")
    assert user_error_codes(early) == ["INVALID_STATE"]
    assert "2026-04-02 00:00" in early["errors"][0]["message"]
    assert user_error_codes(await _redeem(gql, user, holding_id)) == ["INVALID_STATE"]

    # The day before maturity: 29 days accrued (3-31 March), still held, nothing redeemable.
    await run_jobs(china(2026, 4, 1, 12, 0))
    holding = await Holding.get()
    assert holding.status == "HOLDING"
    assert holding.accrued_income == 100000 * 300 * 29 // INCOME_DENOMINATOR == 238
    (shown,) = (await gql.ok(HOLDINGS, token=token_for(user)))["holdings"]
    assert shown["redeemable"] == "0.00" and shown["accruedIncome"] == "2.38"
    assert await wallet_balance(user) == (4000_00, 0)

    # 2 April 00:00 China time: the 30th day (1 April) is complete and the holding matures.
    results = await run_jobs(china(2026, 4, 2, 0, 0))
    assert results["wealth-income"] == "accrued 1 holding-days on 1 holdings (8 fen), matured 1"
    total = 100000 + 100000 * 300 * 30 // INCOME_DENOMINATOR
    assert total == 100246
    holding = await Holding.get()
    assert (holding.status, holding.principal, holding.accrued_income) == ("REDEEMED", 0, 0)
    assert await wallet_balance(user) == (4000_00 + total, 0)
    redemption = await Transaction.get(type="WEALTH_REDEMPTION")
    assert redemption.amount == total and "到期" in redemption.description
    events = await OutboxEvent.filter(topic__startswith="balance:")
    events = [e for e in events if e.payload["transactionId"] == redemption.id]
    assert [e.payload["delta"] for e in events] == [total]
    assert await custody_balance() == 0

    # Nothing more on later runs, nor on the same instant again.
    await run_jobs(china(2026, 4, 2, 0, 0))
    await run_jobs(china(2026, 4, 10, 0, 0))
    assert await Transaction.filter(type="WEALTH_REDEMPTION").count() == 1
    assert await wallet_balance(user) == (4000_00 + total, 0)
    assert (await reconcile()).clean


async def test_a_matured_holding_may_be_redeemed_before_the_job_runs(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(type="BOND", rate="3.00", term_days=30, risk_level="R3")
    user, holding_id = await _holder(gql, product, "1000.00")
    at(china(2026, 4, 20, 9, 0))  # matured on 2 April; the job has not run since
    payload = await _redeem(gql, user, holding_id)
    assert payload["errors"] == []
    # Income stops at the end of the term (30 days), however late the redemption.
    assert payload["transaction"]["amount"] == "1002.46"
    assert payload["holding"]["status"] == "REDEEMED"
    assert await Transaction.filter(type="WEALTH_INCOME").count() == 30
    await run_jobs(china(2026, 4, 21, 0, 0))
    assert await Transaction.filter(type="WEALTH_REDEMPTION").count() == 1
    assert (await reconcile()).clean


async def test_redemption_replays_return_the_first_result(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="2.85")
    user, holding_id = await _holder(gql, product, "1000.00")
    at(china(2026, 3, 2, 11, 0))
    data = redeem_input(holding_id, "200.00")
    token = token_for(user)
    first = await gql.mutate(REDEEM, {"input": data}, token=token)
    second = await gql.mutate(REDEEM, {"input": data}, token=token)
    assert first["errors"] == [] and second["errors"] == []
    assert second["transaction"]["id"] == first["transaction"]["id"]
    reused = await gql.mutate(REDEEM, {"input": {**data, "amount": "300.00"}}, token=token)
    assert user_error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]

    # A full redemption replayed after the holding is gone still returns its first result.
    full = redeem_input(holding_id)
    done = await gql.mutate(REDEEM, {"input": full}, token=token)
    replay = await gql.mutate(REDEEM, {"input": full}, token=token)
    assert done["errors"] == [] and replay["errors"] == []
    assert replay["transaction"]["id"] == done["transaction"]["id"]
    assert replay["holding"]["status"] == "REDEEMED"
    assert await Transaction.filter(type="WEALTH_REDEMPTION").count() == 2
    assert await wallet_balance(user) == (5000_00, 0)
    assert (await reconcile()).clean


async def test_holdings_and_holding_nodes_are_owner_only(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product()
    owner, holding_id = await _holder(gql, product, "100.00")
    stranger = await make_user()
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on Holding {{ {HOLDING_FIELDS} }} }} }}"
    mine = (await gql.ok(query, {"id": holding_id}, token=token_for(owner)))["node"]
    assert mine["principal"] == "100.00" and mine["product"]["code"] == product.code
    assert (await gql.ok(query, {"id": holding_id}, token=token_for(stranger)))["node"] is None
    assert (await gql.ok(query, {"id": holding_id}))["node"] is None
    assert (await gql.ok(HOLDINGS, token=token_for(stranger)))["holdings"] == []
    assert (await gql(HOLDINGS)).error_codes() == ["UNAUTHENTICATED"]
