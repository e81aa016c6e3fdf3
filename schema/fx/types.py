"""Currency, FxQuote, FxDetails, CrossBorderUsage and the inputs and payloads of the FX mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from app.fx.currencies import format_minor
from models import Merchant
from models.fx import FxQuote
from resolvers.fx import FxView, Usage

from ..errors import UserError
from ..scalars import Money


@strawberry.enum(name="Currency", description="ISO 4217 codes merchants may be paid in (JPY has no minor unit).")
class CurrencyEnum(Enum):
    CNY = "CNY"
    HKD = "HKD"
    USD = "USD"
    EUR = "EUR"
    JPY = "JPY"


@strawberry.type(name="FxQuote", description="A locked exchange rate for one payment to a foreign merchant.")
class FxQuoteType:
    id: strawberry.ID = strawberry.field(description="Pass as fxQuoteId to pay or payQrCode.")
    merchant_no: str
    merchant_name: str
    cny_amount: Money = strawberry.field(description="What the wallet is debited.")
    merchant_amount: str = strawberry.field(
        description='What the merchant is credited, in merchantCurrency ("12.34"; JPY "1500").'
    )
    merchant_currency: CurrencyEnum
    rate: str = strawberry.field(description='CNY per 1 unit of merchantCurrency, 6 decimals ("7.100000").')
    expires_at: datetime
    used: bool

    @classmethod
    def from_model(cls, quote: FxQuote, merchant: Merchant) -> FxQuoteType:
        return cls(
            id=strawberry.ID(quote.quote_no),
            merchant_no=merchant.merchant_no,
            merchant_name=merchant.name,
            cny_amount=quote.cny_amount,
            merchant_amount=format_minor(quote.merchant_amount, quote.currency),
            merchant_currency=CurrencyEnum(quote.currency),
            rate=quote.rate,
            expires_at=quote.expires_at,
            used=quote.transaction_id is not None,
        )


@strawberry.type(name="FxDetails", description="Both currencies of a cross-border payment or of its refund.")
class FxDetailsType:
    cny_amount: Money
    merchant_amount: str = strawberry.field(description="In merchantCurrency's minor-unit decimals.")
    merchant_currency: CurrencyEnum
    rate: str = strawberry.field(description="The quote's rate (a refund converts back at it).")

    @classmethod
    def from_view(cls, view: FxView) -> FxDetailsType:
        return cls(
            cny_amount=Money(view.cny_amount),
            merchant_amount=format_minor(view.merchant_amount, view.currency),
            merchant_currency=CurrencyEnum(view.currency),
            rate=view.rate,
        )


@strawberry.type(name="CrossBorderUsage", description="The viewer's cross-border payments this China calendar year.")
class CrossBorderUsageType:
    year: int
    used_cny: Money = strawberry.field(description="Cross-border payments this year (refunds do not give quota back).")
    limit_cny: Money = strawberry.field(description="The annual limit (USD 50,000 by default) in CNY at today's rate.")
    remaining_cny: Money

    @classmethod
    def from_usage(cls, usage: Usage) -> CrossBorderUsageType:
        return cls(year=usage.year, used_cny=Money(usage.used), limit_cny=Money(usage.limit),
                   remaining_cny=Money(max(usage.limit - usage.used, 0)))


@strawberry.input
class CreateFxQuoteInput:
    merchant_no: str | None = strawberry.field(default=None, description="One of merchantNo / payload.")
    payload: str | None = strawberry.field(default=None, description="A scanned merchant payment-QR payload.")
    amount: str | None = strawberry.field(
        default=None, description="In amountCurrency; required unless the QR code carries a fixed amount."
    )
    amount_currency: CurrencyEnum = strawberry.field(
        default=CurrencyEnum.CNY, description="CNY or the merchant account's currency."
    )


@strawberry.type
class FxQuotePayload:
    quote: FxQuoteType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetMerchantCurrencyInput:
    merchant_no: str
    currency: CurrencyEnum
