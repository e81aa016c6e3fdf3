"""Merchant platform API: keys, the fee rate, orders, merchant refunds and the payment code."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.errors import DomainError, ErrorCode
from app.merchant_platform.orders import NewOrder
from resolvers import merchant_platform as resolvers

from ..context import Info
from ..errors import OkPayload, returns_payload
from ..node import from_global_id, register_node
from ..payments.types import MerchantPayload, MerchantType
from ..permissions import ADMINS, SIGNED_IN
from .types import (
    ChargePaymentCodeInput,
    CloseOrderInput,
    ConfirmPaymentCodeChargeInput,
    CreateMerchantApiKeyInput,
    CreateMerchantApiKeyPayload,
    CreateOrderInput,
    DisablePaymentCodeInput,
    EnablePaymentCodeInput,
    EnablePaymentCodePayload,
    MerchantApiKeyPayload,
    MerchantApiKeyType,
    MerchantRefundPayload,
    MerchantRefundType,
    OrderPayload,
    OrderType,
    PaymentCodeType,
    RefundOrderInput,
    RevokeMerchantApiKeyInput,
    SetMerchantFeeRateInput,
)


def _pk(global_id: strawberry.ID, type_name: str, field: str) -> int:
    pk = from_global_id(global_id, type_name)
    if pk is None:
        raise DomainError(ErrorCode.NOT_FOUND, "对象不存在", ("input", field))
    return pk


@register_node("Order")
async def _load_order(info: Info, pk: int) -> OrderType | None:
    order = await resolvers.visible_order(info.context, pk)
    if order is None:
        return None
    viewer = await info.context.viewer()
    return OrderType.from_model(order, for_payer=viewer is not None and order.payer_user_id == viewer.id
                                and viewer.id != (await resolvers.order_merchant(order)).owner_id)


@register_node("MerchantRefund")
async def _load_refund(info: Info, pk: int) -> MerchantRefundType | None:
    refund = await resolvers.visible_refund(info.context, pk)
    return MerchantRefundType.from_model(refund) if refund else None


@register_node("MerchantApiKey")
async def _load_api_key(info: Info, pk: int) -> MerchantApiKeyType | None:
    key = await resolvers.visible_api_key(info.context, pk)
    return MerchantApiKeyType.from_model(key) if key else None


@strawberry.type
class Query:
    @strawberry.field(description="The merchants the viewer owns.")
    async def my_merchants(self, info: Info) -> list[MerchantType]:
        return [MerchantType.from_model(m) for m in await resolvers.my_merchants(info.context)]

    @strawberry.field(
        description="An order by the merchant's number (API key of that merchant, or its owner with merchantNo)."
    )
    async def order(self, info: Info, out_trade_no: str, merchant_no: str | None = None) -> OrderType | None:
        order = await resolvers.order_by_no(info.context, out_trade_no, merchant_no)
        return OrderType.from_model(order) if order else None

    @strawberry.field(description="The viewer's current payment code; null when not enabled.", permission_classes=SIGNED_IN)
    async def payment_code(self, info: Info) -> PaymentCodeType | None:
        view = await resolvers.current_payment_code(info.context)
        return PaymentCodeType.from_view(view) if view else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Merchant owner.", permission_classes=SIGNED_IN)
    @returns_payload(CreateMerchantApiKeyPayload)
    async def create_merchant_api_key(
        self, info: Info, input: CreateMerchantApiKeyInput
    ) -> CreateMerchantApiKeyPayload:
        created = await resolvers.create_api_key(
            info.context, input.merchant_no, input.name, [s.value for s in input.scopes], input.payment_password
        )
        return CreateMerchantApiKeyPayload(api_key=MerchantApiKeyType.from_model(created.key), secret=created.secret)

    @strawberry.mutation(description="Merchant owner.", permission_classes=SIGNED_IN)
    @returns_payload(MerchantApiKeyPayload)
    async def revoke_merchant_api_key(
        self, info: Info, input: RevokeMerchantApiKeyInput
    ) -> MerchantApiKeyPayload:
        key = await resolvers.revoke_api_key(info.context, _pk(input.api_key_id, "MerchantApiKey", "apiKeyId"))
        return MerchantApiKeyPayload(api_key=MerchantApiKeyType.from_model(key))

    @strawberry.mutation(description="Staff only (ADMIN): a merchant's fee rate.", permission_classes=ADMINS)
    @returns_payload(MerchantPayload)
    async def set_merchant_fee_rate(self, info: Info, input: SetMerchantFeeRateInput) -> MerchantPayload:
        merchant = await resolvers.set_fee_rate(info.context, input.merchant_no, input.fee_rate_bps)
        return MerchantPayload(merchant=MerchantType.from_model(merchant), errors=[])

    @strawberry.mutation(description="Merchant (API key with ORDERS, or owner).")
    @returns_payload(OrderPayload)
    async def create_order(self, info: Info, input: CreateOrderInput) -> OrderPayload:
        new = NewOrder(
            out_trade_no=input.out_trade_no, amount=input.amount, description=input.description,
            expires_in_seconds=input.expires_in_seconds,
        )
        order = await resolvers.create_order(info.context, input.merchant_no, new)
        return OrderPayload(order=OrderType.from_model(order))

    @strawberry.mutation(description="Merchant (API key with ORDERS, or owner): close an unpaid order.")
    @returns_payload(OrderPayload)
    async def close_order(self, info: Info, input: CloseOrderInput) -> OrderPayload:
        order = await resolvers.close_order(info.context, merchant_no=input.merchant_no, out_trade_no=input.out_trade_no)
        return OrderPayload(order=OrderType.from_model(order))

    @strawberry.mutation(
        description="Merchant (API key with REFUNDS, or owner): money back to the payer the way it came, from the"
        " merchant's balance."
    )
    @returns_payload(MerchantRefundPayload)
    async def refund_order(self, info: Info, input: RefundOrderInput) -> MerchantRefundPayload:
        refund = await resolvers.refund_order(
            info.context, merchant_no=input.merchant_no, out_trade_no=input.out_trade_no,
            out_refund_no=input.out_refund_no, amount=input.amount, reason=input.reason,
        )
        return MerchantRefundPayload(refund=MerchantRefundType.from_model(refund))

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(EnablePaymentCodePayload)
    async def enable_payment_code(self, info: Info, input: EnablePaymentCodeInput) -> EnablePaymentCodePayload:
        enabled = await resolvers.enable_payment_code(info.context, input.payment_password)
        return EnablePaymentCodePayload(
            secret=enabled.secret, code_prefix=enabled.prefix,
            step_seconds=enabled.step_seconds, otp_digits=enabled.otp_digits,
        )

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(OkPayload)
    async def disable_payment_code(self, info: Info, input: DisablePaymentCodeInput) -> OkPayload:
        await resolvers.disable_payment_code(info.context, input.payment_password)
        return OkPayload(ok=True)

    @strawberry.mutation(description="Merchant: charge a payment code shown by a payer.")
    @returns_payload(OrderPayload)
    async def charge_payment_code(self, info: Info, input: ChargePaymentCodeInput) -> OrderPayload:
        order = await resolvers.charge_payment_code(
            info.context, merchant_no=input.merchant_no, code=input.code, amount=input.amount,
            out_trade_no=input.out_trade_no, description=input.description,
        )
        return OrderPayload(order=OrderType.from_model(order))

    @strawberry.mutation(description="Payer: confirm a charge above the password-free limit.", permission_classes=SIGNED_IN)
    @returns_payload(OrderPayload)
    async def confirm_payment_code_charge(
        self, info: Info, input: ConfirmPaymentCodeChargeInput
    ) -> OrderPayload:
        order = await resolvers.confirm_payment_code_charge(
            info.context, _pk(input.order_id, "Order", "orderId"), input.payment_password, input.verification_code
        )
        return OrderPayload(order=OrderType.from_model(order, for_payer=True))


@strawberry.type
class Subscription:
    @strawberry.subscription(description="For the merchant (API key or owner): each status change of the order.")
    async def order_status(
        self, info: Info, out_trade_no: str, merchant_no: str | None = None
    ) -> AsyncGenerator[OrderType, None]:
        async for order in resolvers.watch_order(info.context, out_trade_no, merchant_no):
            yield OrderType.from_model(order)

    @strawberry.subscription(
        description="For the payer: charges of their payment code, including those waiting for confirmation.",
        permission_classes=SIGNED_IN,
    )
    async def payment_code_charges(self, info: Info) -> AsyncGenerator[OrderType, None]:
        async for order in resolvers.watch_payment_code_charges(info.context):
            yield OrderType.from_model(order, for_payer=True)
