"""Wealth suggestions that fit (1.2.5): read them, turn them off or on."""

from __future__ import annotations

import strawberry

from app.suggestions.service import Suggestions
from resolvers import social_suggestions as resolvers

from ..context import Info
from ..errors import UserError, returns_payload
from ..permissions import SIGNED_IN
from ..scalars import Money
from ..wealth.types import WealthProductType


@strawberry.type
class WealthSuggestion:
    product: WealthProductType
    reason: str = strawberry.field(description="Why it fits, in plain words.")


@strawberry.type
class WealthSuggestionsType:
    enabled: bool
    risk_tolerance: str | None
    idle_days: int | None = strawberry.field(description="How long a yuan sits in the wallet on average (90 days).")
    idle_amount: Money | None = strawberry.field(description="The lowest balance over the last 90 days.")
    items: list[WealthSuggestion]

    @classmethod
    def from_result(cls, found: Suggestions) -> WealthSuggestionsType:
        return cls(
            enabled=found.enabled, risk_tolerance=found.tolerance,
            idle_days=found.habits.idle_days if found.habits else None,
            idle_amount=Money(found.habits.idle_amount) if found.habits else None,
            items=[WealthSuggestion(product=WealthProductType.from_model(p), reason=r) for p, r in found.items],
        )


@strawberry.type
class WealthSuggestionsPayload:
    suggestions: WealthSuggestionsType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetWealthSuggestionsInput:
    enabled: bool


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=SIGNED_IN,
        description="Wealth products that fit the viewer's idle money and risk tolerance (never above it).",
    )
    async def wealth_suggestions(self, info: Info) -> WealthSuggestionsType:
        return WealthSuggestionsType.from_result(await resolvers.suggestions(info.context))


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=SIGNED_IN, description="Turn wealth suggestions off or on.")
    @returns_payload(WealthSuggestionsPayload)
    async def set_wealth_suggestions(
        self, info: Info, input: SetWealthSuggestionsInput
    ) -> WealthSuggestionsPayload:
        return WealthSuggestionsPayload(
            suggestions=WealthSuggestionsType.from_result(await resolvers.turn(info.context, input.enabled)), errors=[]
        )
