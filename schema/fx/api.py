"""Cross-border payments API: createFxQuote, setMerchantCurrency (ADMIN), crossBorderUsage."""

from __future__ import annotations

import strawberry

from resolvers import fx as resolvers

from ..context import Info
from ..errors import returns_payload
from ..payments.types import MerchantPayload, MerchantType
from ..permissions import ADMINS, SIGNED_IN
from .types import (
    CreateFxQuoteInput,
    CrossBorderUsageType,
    FxQuotePayload,
    FxQuoteType,
    SetMerchantCurrencyInput,
)


@strawberry.type
class Query:
    @strawberry.field(
        description="The viewer's cross-border payments this year against the annual limit.",
        permission_classes=SIGNED_IN,
    )
    async def cross_border_usage(self, info: Info) -> CrossBorderUsageType:
        return CrossBorderUsageType.from_usage(await resolvers.usage(info.context))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Lock an exchange rate for paying a foreign merchant (show it before the payment password);"
        " valid 60 s by default, for one payment.",
        permission_classes=SIGNED_IN,
    )
    @returns_payload(FxQuotePayload)
    async def create_fx_quote(self, info: Info, input: CreateFxQuoteInput) -> FxQuotePayload:
        quote, merchant = await resolvers.quote(
            info.context, input.merchant_no, input.payload, input.amount, input.amount_currency.value
        )
        return FxQuotePayload(quote=FxQuoteType.from_model(quote, merchant), errors=[])

    @strawberry.mutation(
        description="Staff only (ADMIN): a merchant's currency (its account's), before it has moved money. Audited.",
        permission_classes=ADMINS,
    )
    @returns_payload(MerchantPayload)
    async def set_merchant_currency(self, info: Info, input: SetMerchantCurrencyInput) -> MerchantPayload:
        merchant = await resolvers.set_currency(info.context, input.merchant_no, input.currency.value)
        return MerchantPayload(merchant=MerchantType.from_model(merchant), errors=[])
