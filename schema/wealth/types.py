"""Wealth types: products, holdings, the risk questionnaire, and the inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from app.wealth.rates import format_percent
from models.wealth import Holding, WealthProduct
from resolvers import wealth_catalogue, wealth_holdings

from ..context import Info
from ..errors import UserError
from ..money.types import TransactionType
from ..node import Node, register_node, to_global_id
from ..pagination import Connection
from ..scalars import Money


@strawberry.enum(name="ProductType")
class ProductTypeEnum(Enum):
    FIXED_DEPOSIT = "FIXED_DEPOSIT"
    MONEY_MARKET_FUND = "MONEY_MARKET_FUND"
    BOND = "BOND"
    INSURANCE = "INSURANCE"


@strawberry.enum(name="RiskLevel", description="Product risk level, R1 (lowest) to R5 (highest).")
class RiskLevelEnum(Enum):
    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"
    R5 = "R5"


@strawberry.enum(name="ProductStatus")
class ProductStatusEnum(Enum):
    ON_SALE = "ON_SALE"
    SOLD_OUT = "SOLD_OUT"
    CLOSED = "CLOSED"


@strawberry.enum(name="HoldingStatus")
class HoldingStatusEnum(Enum):
    HOLDING = "HOLDING"
    REDEEMED = "REDEEMED"


@strawberry.type(name="WealthProduct")
class WealthProductType(Node):
    id: strawberry.ID
    code: str
    name: str
    type: ProductTypeEnum
    expected_annual_return: str = strawberry.field(description='Expected annual return in percent, e.g. "3.25".')
    term_days: int | None = strawberry.field(description="Null for open-ended products redeemable any day.")
    risk_level: RiskLevelEnum
    min_purchase: Money
    status: ProductStatusEnum
    description: str
    risk_disclosure: str

    @classmethod
    def from_model(cls, product: WealthProduct) -> WealthProductType:
        return cls(
            id=to_global_id("WealthProduct", product.id),
            code=product.code,
            name=product.name,
            type=ProductTypeEnum(product.type),
            expected_annual_return=format_percent(product.expected_return_bp),
            term_days=product.term_days,
            risk_level=RiskLevelEnum(product.risk_level),
            min_purchase=product.min_purchase,
            status=ProductStatusEnum(product.status),
            description=product.description,
            risk_disclosure=product.risk_disclosure,
        )


WealthProductConnection = Connection[WealthProductType]


@strawberry.input
class WealthProductFilter:
    types: list[ProductTypeEnum] | None = None
    min_expected_return: str | None = strawberry.field(
        default=None, description='Percent with at most two decimals, e.g. "3.00".'
    )
    max_term_days: int | None = strawberry.field(
        default=None, description="Open-ended products (termDays null) always pass: they can be left any day."
    )
    risk_levels: list[RiskLevelEnum] | None = None
    on_sale_only: bool | None = None


@strawberry.type(name="Holding")
class HoldingType(Node):
    _model: strawberry.Private[Holding]
    id: strawberry.ID
    principal: Money
    accrued_income: Money = strawberry.field(description="Income accrued for complete days, not yet redeemed.")
    status: HoldingStatusEnum
    purchased_at: datetime
    matures_at: datetime | None
    redeemed_at: datetime | None

    @classmethod
    def from_model(cls, holding: Holding) -> HoldingType:
        return cls(
            _model=holding,
            id=to_global_id("Holding", holding.id),
            principal=holding.principal,
            accrued_income=holding.accrued_income,
            status=HoldingStatusEnum(holding.status),
            purchased_at=holding.purchased_at,
            matures_at=holding.matures_at,
            redeemed_at=holding.redeemed_at,
        )

    @strawberry.field
    async def product(self) -> WealthProductType:
        return WealthProductType.from_model(await wealth_holdings.product(self._model))

    @strawberry.field(
        description="What a redemption can take now: principal plus accrued income; 0 for a fixed-term "
        "holding before maturity and for a redeemed one."
    )
    def redeemable(self) -> Money:
        return Money(wealth_holdings.redeemable(self._model))


@strawberry.type
class RiskOption:
    id: str
    text: str
    score: int


@strawberry.type
class RiskQuestion:
    id: str
    text: str
    options: list[RiskOption]


@strawberry.input
class RiskAnswerInput:
    question_id: str
    option_id: str


@strawberry.input
class SubmitRiskAssessmentInput:
    answers: list[RiskAnswerInput]


@strawberry.type
class RiskAssessmentPayload:
    risk_tolerance: str | None = strawberry.field(default=None, description="C1 to C5.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PurchaseWealthProductInput:
    product_id: strawberry.ID
    amount: Money
    payment_password: str
    accept_risk_disclosure: bool
    idempotency_key: str
    verification_code: str | None = strawberry.field(
        default=None,
        description="Needed when a step-up check asks for it (error VERIFICATION_REQUIRED); purpose PAYMENT.",
    )


@strawberry.input
class RedeemWealthProductInput:
    holding_id: strawberry.ID
    amount: Money | None = strawberry.field(default=None, description="Defaults to all that is redeemable.")
    payment_password: str
    idempotency_key: str


@strawberry.type
class HoldingPayload:
    holding: HoldingType | None = None
    transaction: TransactionType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateWealthProductInput:
    code: str
    name: str
    type: ProductTypeEnum
    expected_annual_return: str
    term_days: int | None = None
    risk_level: RiskLevelEnum
    min_purchase: Money
    description: str
    risk_disclosure: str


@strawberry.input
class SetWealthProductStatusInput:
    product_id: strawberry.ID
    status: ProductStatusEnum


@strawberry.type
class WealthProductPayload:
    product: WealthProductType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@register_node("WealthProduct")
async def _load_product(info: Info, pk: int) -> WealthProductType | None:
    product = await wealth_catalogue.product(pk)
    return WealthProductType.from_model(product) if product else None


@register_node("Holding")
async def _load_holding(info: Info, pk: int) -> HoldingType | None:
    holding = await wealth_holdings.holding(info.context, pk)
    return HoldingType.from_model(holding) if holding else None
