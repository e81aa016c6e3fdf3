"""Wealth suggestions: never above the user's tolerance (property test over generated users),
terms that fit the idle time, reasons in plain words, and the user can turn them off."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from app import clock
from app.suggestions.rules import Habits, Offer, fits, habits_from, level, suggest
from tests.factories import fund, make_user, token_for
from tests.wealth.support import make_product, set_tolerance

LEVELS = st.integers(1, 5)
offers = st.lists(
    st.builds(
        Offer,
        product_id=st.integers(1, 10_000),
        code=st.text("ABCDEFG", min_size=1, max_size=4),
        risk_level=LEVELS.map(lambda n: f"R{n}"),
        term_days=st.one_of(st.none(), st.integers(1, 3650)),
        min_purchase=st.integers(1, 10_000_00),
        expected_return_bp=st.integers(0, 2000),
        status=st.sampled_from(["ON_SALE", "SOLD_OUT", "CLOSED"]),
    ),
    max_size=30,
    unique_by=lambda offer: offer.product_id,  # a catalogue has one row per product
)
moves = st.lists(st.tuples(st.integers(0, 90 * 86400), st.integers(-5_000_00, 5_000_00)), max_size=40)


@given(offers, st.one_of(st.none(), LEVELS.map(lambda n: f"C{n}")), st.integers(0, 100_000_00), moves)
def test_suggestions_never_exceed_the_tolerance_and_always_fit(products, tolerance, start, changes):
    changes = sorted(changes)
    # Keep the generated history possible: the balance never goes below zero.
    balance, history = start, []
    for when, delta in changes:
        if balance + delta >= 0:
            balance += delta
            history.append((when, delta))
    habits = habits_from(start, history, 90 * 86400)
    chosen = suggest(products, tolerance, habits)
    by_id = {o.product_id: o for o in products}
    assert len(chosen) <= 3
    if tolerance is None:
        assert chosen == []
    for s in chosen:
        offer = by_id[s.product_id]
        assert level(offer.risk_level) <= level(tolerance)
        assert fits(offer, tolerance, habits)
        assert offer.min_purchase <= habits.idle_amount
        assert offer.term_days is None or offer.term_days <= habits.idle_days


def test_habits_from_a_constructed_history():
    day = 86400
    # 1000.00 for 45 days, then 500.00 spent, then 500.00 for 45 days:
    # average balance 750.00 over 90 days, 500.00 spent -> a yuan sits 135 days on average.
    habits = habits_from(1000_00, [(45 * day, -500_00)], 90 * day)
    assert habits == Habits(idle_amount=500_00, idle_days=135, spent=500_00, observed_days=90)
    untouched = habits_from(300_00, [], 90 * day)
    assert (untouched.idle_days, untouched.idle_amount) == (90, 300_00)


SUGGESTIONS = """query { wealthSuggestions { enabled riskTolerance idleDays idleAmount
  items { product { code } reason } } }"""
TURN = """mutation($on: Boolean!) { setWealthSuggestions(input: {enabled: $on}) {
  suggestions { enabled items { product { code } } } errors { code } } }"""


async def test_suggestions_through_the_api_fit_the_history_and_can_be_turned_off(gql):
    start = clock.now()
    clock.set_now(start - timedelta(days=100))
    user = await make_user()
    await fund(user, 2000_00)  # sits untouched for 100 days
    clock.set_now(start)
    await set_tolerance(user, "C3")
    await make_product(code="SAFE-7", term_days=7, risk_level="R1", rate="2.00", min_purchase=100_00)
    await make_product(code="MID-60", term_days=60, risk_level="R3", rate="3.50", min_purchase=1000_00)
    await make_product(code="LONG-180", term_days=180, risk_level="R2", rate="4.00", min_purchase=100_00)
    await make_product(code="RISKY", term_days=None, risk_level="R4", rate="9.00", min_purchase=1_00)
    await make_product(code="BIG", term_days=30, risk_level="R1", rate="5.00", min_purchase=5000_00)
    token = token_for(user)

    found = (await gql.ok(SUGGESTIONS, token=token))["wealthSuggestions"]
    assert (found["enabled"], found["riskTolerance"], found["idleDays"], found["idleAmount"]) == (True, "C3", 90, "2000.00")
    # RISKY is above C3, LONG-180 longer than the idle time, BIG above the idle amount.
    assert [i["product"]["code"] for i in found["items"]] == ["MID-60", "SAFE-7"]
    assert "您的余额平均闲置 90 天" in found["items"][0]["reason"]

    off = await gql.mutate(TURN, {"on": False}, token=token)
    assert off["suggestions"] == {"enabled": False, "items": []}
    assert (await gql.ok(SUGGESTIONS, token=token))["wealthSuggestions"]["items"] == []
    on = await gql.mutate(TURN, {"on": True}, token=token)
    assert len(on["suggestions"]["items"]) == 2


async def test_no_assessment_no_suggestions(gql):
    user = await make_user()
    await fund(user, 500_00)
    await make_product(code="SAFE", risk_level="R1")
    found = (await gql.ok(SUGGESTIONS, token=token_for(user)))["wealthSuggestions"]
    assert (found["riskTolerance"], found["items"]) == (None, [])
