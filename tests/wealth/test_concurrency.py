"""Concurrent duplicates and racing redemptions keep one result and a clean ledger."""

from __future__ import annotations

import asyncio

from app.ledger.reconcile import reconcile
from app.wealth.jobs import accrue_and_mature
from models import Transaction
from models.wealth import Holding, WealthAccrual
from tests.factories import fund, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.wealth.support import (
    PURCHASE,
    REDEEM,
    at,
    china,
    custody_balance,
    make_product,
    purchase_input,
    redeem_input,
    set_tolerance,
)


async def test_concurrent_duplicate_purchases_make_one_holding(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product()
    user = await make_user()
    await set_tolerance(user, "C1")
    await fund(user, 1000_00)
    token = token_for(user)
    data = purchase_input(product, "600.00")
    payloads = await asyncio.gather(*(gql.mutate(PURCHASE, {"input": data}, token=token) for _ in range(5)))
    assert all(p["errors"] == [] for p in payloads)
    assert len({p["holding"]["id"] for p in payloads}) == 1
    assert len({p["transaction"]["id"] for p in payloads}) == 1
    assert await Holding.all().count() == 1
    assert await wallet_balance(user) == (400_00, 0)
    assert (await reconcile()).clean


async def test_racing_redemptions_never_take_more_than_the_holding(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product()
    user = await make_user()
    await set_tolerance(user, "C1")
    await fund(user, 1000_00)
    token = token_for(user)
    bought = await gql.mutate(PURCHASE, {"input": purchase_input(product, "1000.00")}, token=token)
    holding_id = bought["holding"]["id"]
    payloads = await asyncio.gather(
        *(gql.mutate(REDEEM, {"input": redeem_input(holding_id, "400.00")}, token=token) for _ in range(4))
    )
    outcomes = sorted(user_error_codes(p)[0] if p["errors"] else "OK" for p in payloads)
    assert outcomes == ["INVALID_AMOUNT", "INVALID_AMOUNT", "OK", "OK"]
    holding = await Holding.get()
    assert holding.principal == 200_00
    assert await wallet_balance(user) == (800_00, 0)
    assert await custody_balance() == 200_00
    assert (await reconcile()).clean


async def test_concurrent_job_runs_accrue_each_day_once(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="2.85")
    for _ in range(3):
        user = await make_user()
        await set_tolerance(user, "C1")
        await fund(user, 5000_00)
        payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, "4321.09")}, token=token_for(user))
        assert payload["errors"] == []
    now = china(2026, 3, 13, 1, 0)
    at(now)
    await asyncio.gather(accrue_and_mature(now), accrue_and_mature(now), accrue_and_mature(now))
    assert await WealthAccrual.all().count() == 30
    assert await Transaction.filter(type="WEALTH_INCOME").count() == 30
    assert [h.accrued_income for h in await Holding.all()] == [337, 337, 337]
    assert (await reconcile()).clean
