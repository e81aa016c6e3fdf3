"""Daily income: exact fen over several job runs, no drift, no double accrual."""

from __future__ import annotations

from app.ledger.accounts import wallet_of
from app.ledger.reconcile import reconcile
from app.wealth.rates import INCOME_DENOMINATOR
from models import Journal, Posting, Transaction
from models.wealth import Holding, WealthAccrual
from schema.money.types import TransactionType
from tests.factories import fund, make_user, token_for, wallet_balance
from tests.wealth.support import (
    HOLDINGS,
    PURCHASE,
    at,
    china,
    custody_balance,
    interest_expense_balance,
    make_product,
    purchase_input,
    run_jobs,
    set_tolerance,
)

PRINCIPAL = 4321_09  # fen
RATE_BP = 285  # 2.85%
# Exact income per day is 432109 * 0.0285 / 365 = 0.3374 yuan: paying floor(33.74) = 33 fen a day
# would lose 0.74 fen a day; carrying the remainder pays floor(days * 33.74...) in total.


def exact_total(days: int) -> int:
    return PRINCIPAL * RATE_BP * days // INCOME_DENOMINATOR


async def _income_of(gql, user) -> str:  # noqa: ANN001
    (holding,) = (await gql.ok(HOLDINGS, token=token_for(user)))["holdings"]
    return holding["accruedIncome"]


async def test_income_over_several_job_runs_is_exact_to_the_fen(gql):
    at(china(2026, 3, 2, 10, 0))  # bought on 2 March (China time): that day earns nothing
    product = await make_product(rate="2.85", term_days=None)
    user = await make_user()
    await set_tolerance(user, "C1")
    await fund(user, 5000_00)
    token = token_for(user)
    payload = await gql.mutate(PURCHASE, {"input": purchase_input(product, "4321.09")}, token=token)
    assert payload["errors"] == []

    # Early on 3 March no day is complete yet.
    await run_jobs(china(2026, 3, 3, 9, 0))
    assert await _income_of(gql, user) == "0.00"

    # 5 March 01:00: 3 and 4 March are complete.
    await run_jobs(china(2026, 3, 5, 1, 0))
    assert exact_total(2) == 67
    assert await _income_of(gql, user) == "0.67"

    # 13 March 00:00:01: eight more days (5-12 March), ten in all.
    await run_jobs(china(2026, 3, 13, 0, 0, 1))
    assert exact_total(10) == 337  # 10 x 33 = 330 would be the drifting answer
    assert await _income_of(gql, user) == "3.37"
    # The same instant again adds nothing.
    await run_jobs(china(2026, 3, 13, 0, 0, 1))
    assert await _income_of(gql, user) == "3.37"

    holding = await Holding.get()
    accruals = await WealthAccrual.filter(holding_id=holding.id).order_by("income_date")
    assert [a.income_date.isoformat() for a in accruals] == [f"2026-03-{d:02d}" for d in range(3, 13)]
    assert [a.amount for a in accruals] == [33, 34, 34, 33, 34, 34, 34, 33, 34, 34]
    assert [a.amount for a in accruals] == [exact_total(d) - exact_total(d - 1) for d in range(1, 11)]
    assert holding.accrued_income == 337
    assert holding.principal == PRINCIPAL
    assert 0 <= holding.income_remainder < INCOME_DENOMINATOR
    assert holding.accrued_income * INCOME_DENOMINATOR + holding.income_remainder == PRINCIPAL * RATE_BP * 10

    # Each day is a WEALTH_INCOME transaction with one journal INTEREST_EXPENSE -> WEALTH_CUSTODY.
    incomes = await Transaction.filter(type="WEALTH_INCOME").order_by("id")
    assert len(incomes) == 10 and sum(t.amount for t in incomes) == 337
    assert all(t.status == "SUCCEEDED" and t.reference_id == holding.id for t in incomes)
    journals = await Journal.filter(transaction_id__in=[t.id for t in incomes])
    assert len(journals) == 10 and {j.kind for j in journals} == {"POST"}
    assert await Posting.filter(journal_id__in=[j.id for j in journals]).count() == 20
    assert await custody_balance() == PRINCIPAL + 337
    assert await interest_expense_balance() == -337
    # The wallet is untouched until a redemption: the income belongs to the holding.
    assert await wallet_balance(user) == (5000_00 - PRINCIPAL, 0)
    assert (await reconcile()).clean


async def test_income_shows_in_the_users_transactions(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="3.65", name="演示货币基金")
    user = await make_user()
    await set_tolerance(user, "C1")
    await fund(user, 10_000_00)
    token = token_for(user)
    await gql.mutate(PURCHASE, {"input": purchase_input(product, "4000.00")}, token=token)
    await run_jobs(china(2026, 3, 4, 0, 30))  # 3 March: 4000.00 x 3.65% / 365 = 0.40
    income = await Transaction.get(type="WEALTH_INCOME")
    assert income.amount == 40
    assert income.account_id == (await wallet_of(user.id)).id  # on the user's own statement
    assert income.counterparty_name == "演示货币基金"
    assert "2026-03-03" in income.description
    shown = TransactionType.from_model(income)  # as the wallet's statement shows it
    assert (shown.type.value, shown.direction.value, shown.amount) == ("WEALTH_INCOME", "IN", 40)


async def test_days_below_one_fen_carry_until_they_make_a_fen(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="1.00", min_purchase=100)
    user = await make_user()
    await set_tolerance(user, "C1")
    await fund(user, 100_00)
    token = token_for(user)
    await gql.mutate(PURCHASE, {"input": purchase_input(product, "50.00")}, token=token)
    # 5000 fen x 1% / 365 = 0.137 fen a day: the first fen is earned on day 8.
    await run_jobs(china(2026, 3, 9, 1, 0))  # days 3..8 March: 6 days, 0.82 fen
    assert await _income_of(gql, user) == "0.00"
    assert await Transaction.filter(type="WEALTH_INCOME").count() == 0
    assert await WealthAccrual.all().count() == 6
    await run_jobs(china(2026, 3, 11, 1, 0))  # 8 days: 1.09 fen
    assert await _income_of(gql, user) == "0.01"
    assert await Transaction.filter(type="WEALTH_INCOME").count() == 1
    assert (await reconcile()).clean


async def test_job_run_reports_and_custody_check_agrees(gql):
    at(china(2026, 3, 2, 10, 0))
    product = await make_product(rate="2.85")
    users = []
    for _ in range(3):
        user = await make_user()
        await set_tolerance(user, "C1")
        await fund(user, 5000_00)
        await gql.mutate(PURCHASE, {"input": purchase_input(product, "4321.09")}, token=token_for(user))
        users.append(user)
    results = await run_jobs(china(2026, 3, 13, 0, 0, 1))
    assert results["wealth-income"] == "accrued 30 holding-days on 3 holdings (1011 fen), matured 0"
    assert results["wealth-custody-check"] == f"custody matches holdings: {3 * (PRINCIPAL + 337)} fen"
    again = await run_jobs(china(2026, 3, 13, 0, 0, 1))
    assert again["wealth-income"] == "accrued 0 holding-days on 0 holdings (0 fen), matured 0"
