"""Wealth queries and mutations (seed chapter 7)."""

from __future__ import annotations

import strawberry

from app.wealth.catalogue import NewProduct, ProductFilter
from app.wealth.purchase import PurchaseRequest
from app.wealth.redemption import RedemptionRequest
from resolvers import wealth_catalogue, wealth_holdings, wealth_suitability

from ..context import Info
from ..errors import returns_payload
from ..money.types import TransactionType
from ..node import from_global_id
from ..pagination import to_connection
from ..permissions import ADMINS, SIGNED_IN
from .types import (
    CreateWealthProductInput,
    HoldingPayload,
    HoldingType,
    PurchaseWealthProductInput,
    RedeemWealthProductInput,
    RiskAssessmentPayload,
    RiskOption,
    RiskQuestion,
    SetWealthProductStatusInput,
    SubmitRiskAssessmentInput,
    WealthProductConnection,
    WealthProductFilter,
    WealthProductPayload,
    WealthProductType,
)


def _product_filter(flt: WealthProductFilter | None) -> ProductFilter | None:
    if flt is None:
        return None
    return ProductFilter(
        types=[t.value for t in flt.types] if flt.types is not None else None,
        min_expected_return=flt.min_expected_return,
        max_term_days=flt.max_term_days,
        risk_levels=[r.value for r in flt.risk_levels] if flt.risk_levels is not None else None,
        on_sale_only=bool(flt.on_sale_only),
    )


def _holding_payload(result: wealth_holdings.HoldingMoved) -> HoldingPayload:
    holding, moved = result
    return HoldingPayload(
        holding=HoldingType.from_model(holding),
        transaction=TransactionType.from_model(moved.transaction),
        errors=[],
    )


@strawberry.type
class Query:
    @strawberry.field(description="The wealth-product catalogue (anyone may browse it).")
    async def wealth_products(
        self,
        filter: WealthProductFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> WealthProductConnection:
        page = await wealth_catalogue.products(_product_filter(filter), first=first, after=after)
        return to_connection(page, WealthProductType.from_model)

    @strawberry.field
    async def wealth_product(self, id: strawberry.ID) -> WealthProductType | None:
        product = await wealth_catalogue.product(from_global_id(id, "WealthProduct"))
        return WealthProductType.from_model(product) if product else None

    @strawberry.field(
        permission_classes=SIGNED_IN,
        description="The viewer's holdings; redeemed ones only with includeRedeemed.",
    )
    async def holdings(self, info: Info, include_redeemed: bool = False) -> list[HoldingType]:
        rows = await wealth_holdings.my_holdings(info.context, include_redeemed=include_redeemed)
        return [HoldingType.from_model(h) for h in rows]

    @strawberry.field(description="The suitability questionnaire whose answers set riskTolerance.")
    def risk_questionnaire(self) -> list[RiskQuestion]:
        return [
            RiskQuestion(
                id=q.id,
                text=q.text,
                options=[RiskOption(id=o.id, text=o.text, score=o.score) for o in q.options],
            )
            for q in wealth_suitability.questionnaire()
        ]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(RiskAssessmentPayload)
    async def submit_risk_assessment(
        self, info: Info, input: SubmitRiskAssessmentInput
    ) -> RiskAssessmentPayload:
        answers = [(a.question_id, a.option_id) for a in input.answers]
        tolerance = await wealth_suitability.submit(info.context, answers)
        return RiskAssessmentPayload(risk_tolerance=tolerance, errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(HoldingPayload)
    async def purchase_wealth_product(self, info: Info, input: PurchaseWealthProductInput) -> HoldingPayload:
        request = PurchaseRequest(
            product_id=from_global_id(input.product_id, "WealthProduct"),
            amount=input.amount,
            payment_password=input.payment_password,
            accept_risk_disclosure=input.accept_risk_disclosure,
            idempotency_key=input.idempotency_key,
            verification_code=input.verification_code,
        )
        return _holding_payload(await wealth_holdings.buy(info.context, request))

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(HoldingPayload)
    async def redeem_wealth_product(self, info: Info, input: RedeemWealthProductInput) -> HoldingPayload:
        request = RedemptionRequest(
            holding_id=from_global_id(input.holding_id, "Holding"),
            amount=input.amount,
            payment_password=input.payment_password,
            idempotency_key=input.idempotency_key,
        )
        return _holding_payload(await wealth_holdings.sell(info.context, request))

    @strawberry.mutation(permission_classes=ADMINS, description="Staff only (ADMIN).")
    @returns_payload(WealthProductPayload)
    async def create_wealth_product(
        self, info: Info, input: CreateWealthProductInput
    ) -> WealthProductPayload:
        new = NewProduct(
            code=input.code,
            name=input.name,
            type=input.type.value,
            expected_annual_return=input.expected_annual_return,
            term_days=input.term_days,
            risk_level=input.risk_level.value,
            min_purchase=input.min_purchase,
            description=input.description,
            risk_disclosure=input.risk_disclosure,
        )
        product = await wealth_catalogue.create_product(info.context, new)
        return WealthProductPayload(product=WealthProductType.from_model(product), errors=[])

    @strawberry.mutation(
        permission_classes=ADMINS,
        description="Staff only (ADMIN): put a product on sale, mark it sold out or close it.",
    )
    @returns_payload(WealthProductPayload)
    async def set_wealth_product_status(
        self, info: Info, input: SetWealthProductStatusInput
    ) -> WealthProductPayload:
        product = await wealth_catalogue.set_product_status(
            info.context, from_global_id(input.product_id, "WealthProduct"), input.status.value
        )
        return WealthProductPayload(product=WealthProductType.from_model(product), errors=[])
