"""The rules that pick suggested wealth products (pure: figures in, suggestions out).

From the wallet's last 90 days (``Habits``, see ``habits.py``):

- ``idle_amount``: the lowest available balance over the window (money that never moved);
- ``idle_days``: how long a yuan sits in the wallet on average (Little's law: average
  balance x observed days / money spent; the observed days when nothing was spent),
  capped at 365.

A product is suggested when ALL hold:

1. it is ON_SALE;
2. its risk level Rn is at most the user's tolerance Cn (no assessment: nothing is suggested);
3. its term fits: open-ended (redeemable any day), or ``term_days <= idle_days``;
4. its minimum purchase is at most ``idle_amount``.

At most ``LIMIT`` products, highest expected return first (then code). The reason says why,
in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..money import format_fen

LIMIT = 3
WINDOW_DAYS = 90
MAX_IDLE_DAYS = 365


@dataclass(frozen=True)
class Habits:
    idle_amount: int
    """fen"""
    idle_days: int
    spent: int
    """fen spent (out of the available balance) in the window"""
    observed_days: int


@dataclass(frozen=True)
class Offer:
    """What the rules need of a product."""

    product_id: int
    code: str
    risk_level: str
    term_days: int | None
    min_purchase: int
    expected_return_bp: int
    status: str = "ON_SALE"


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    reason: str


def level(code: str) -> int:
    """``C3`` / ``R3`` -> 3."""
    return int(code[1:])


def fits(offer: Offer, tolerance: str | None, habits: Habits) -> bool:
    return (
        offer.status == "ON_SALE"
        and tolerance is not None
        and level(offer.risk_level) <= level(tolerance)
        and (offer.term_days is None or offer.term_days <= habits.idle_days)
        and offer.min_purchase <= habits.idle_amount
    )


def reason(offer: Offer, tolerance: str, habits: Habits) -> str:
    term = "随时可赎回" if offer.term_days is None else f"期限 {offer.term_days} 天，不超过闲置天数"
    return (
        f"您的余额平均闲置 {habits.idle_days} 天，近 {habits.observed_days} 天始终未动用的余额为"
        f" {format_fen(habits.idle_amount)} 元；该产品{term}，起购 {format_fen(offer.min_purchase)} 元，"
        f"风险等级 {offer.risk_level} 不高于您的风险承受能力 {tolerance}。"
    )


def suggest(offers: list[Offer], tolerance: str | None, habits: Habits) -> list[Suggestion]:
    if tolerance is None:
        return []
    chosen = sorted((o for o in offers if fits(o, tolerance, habits)), key=lambda o: (-o.expected_return_bp, o.code))
    return [Suggestion(o.product_id, reason(o, tolerance, habits)) for o in chosen[:LIMIT]]


def habits_from(start_balance: int, moves: list[tuple[int, int]], observed_seconds: int) -> Habits:
    """Habits from the available balance at the window's start and the signed changes after it,
    as (whole seconds since the window start, fen) in time order. Integer arithmetic only."""
    balance, lowest, at, money_seconds, spent = start_balance, start_balance, 0, 0, 0
    for when, delta in moves:
        money_seconds += balance * (when - at)
        at = when
        balance += delta
        lowest = min(lowest, balance)
        if delta < 0:
            spent -= delta
    money_seconds += balance * (observed_seconds - at)
    observed_days = max(1, int(observed_seconds // 86400))
    if spent == 0:
        idle_days = observed_days
    else:
        # average balance x days / spent, as (fen-seconds x days) // (seconds x fen)
        idle_days = min(MAX_IDLE_DAYS, money_seconds * observed_days // (max(observed_seconds, 1) * spent))
    return Habits(idle_amount=max(lowest, 0), idle_days=idle_days, spent=spent, observed_days=observed_days)
