"""Suggestions for one user, and turning them on or off."""

from __future__ import annotations

from dataclasses import dataclass

from models import User
from models.suggestions import SuggestionSetting
from models.wealth import WealthProduct

from .habits import habits_of
from .rules import Habits, Offer, Suggestion, suggest


@dataclass(frozen=True)
class Suggestions:
    enabled: bool
    tolerance: str | None
    habits: Habits | None
    items: list[tuple[WealthProduct, str]]
    """(product, reason), best first; empty when off or without a risk assessment."""


async def enabled_for(user: User) -> bool:
    setting = await SuggestionSetting.get_or_none(user_id=user.id)
    return setting is None or setting.enabled


async def set_enabled(user: User, enabled: bool) -> None:
    updated = await SuggestionSetting.filter(user_id=user.id).update(enabled=enabled)
    if not updated:
        await SuggestionSetting.create(user_id=user.id, enabled=enabled)


async def suggestions_for(user: User) -> Suggestions:
    tolerance = (await User.get(id=user.id)).risk_tolerance
    if not await enabled_for(user):
        return Suggestions(enabled=False, tolerance=tolerance, habits=None, items=[])
    habits = await habits_of(user.id)
    products = {p.id: p for p in await WealthProduct.filter(status="ON_SALE")}
    offers = [
        Offer(product_id=p.id, code=p.code, risk_level=p.risk_level, term_days=p.term_days,
              min_purchase=p.min_purchase, expected_return_bp=p.expected_return_bp, status=p.status)
        for p in products.values()
    ]
    chosen: list[Suggestion] = suggest(offers, tolerance, habits)
    return Suggestions(
        enabled=True, tolerance=tolerance, habits=habits,
        items=[(products[s.product_id], s.reason) for s in chosen],
    )
