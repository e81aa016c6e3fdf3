"""Types of the merchant platform core: API keys, orders, merchant refunds, the payment code."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.merchant_platform.payment_code import PaymentCodeView
from models import Refund
from models.merchant_platform import MerchantApiKey, MerchantRefund, Order
from resolvers import merchant_platform as resolvers

from ..context import Info
from ..errors import UserError
from ..history.types import RefundReasonEnum, RefundStatusEnum
from ..money.types import TransactionType
from ..node import Node, to_global_id
from ..pagination import Connection
from ..scalars import Money

if TYPE_CHECKING:
    from ..payments.types import MerchantType

MerchantRef = Annotated["MerchantType", strawberry.lazy("schema.payments.types")]


@strawberry.enum(name="ApiKeyScope")
class ApiKeyScopeEnum(Enum):
    ORDERS = "ORDERS"
    REFUNDS = "REFUNDS"
    STATEMENTS = "STATEMENTS"
    PAYOUTS = "PAYOUTS"
    WEBHOOKS = "WEBHOOKS"


@strawberry.type(name="MerchantApiKey")
class MerchantApiKeyType(Node):
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The key's first characters, to recognise it (never the whole key).")
    scopes: list[ApiKeyScopeEnum]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, key: MerchantApiKey) -> MerchantApiKeyType:
        return cls(
            id=to_global_id("MerchantApiKey", key.id),
            name=key.name,
            prefix=key.prefix,
            scopes=[ApiKeyScopeEnum(s) for s in key.scopes.split()],
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


@strawberry.enum(name="OrderStatus")
class OrderStatusEnum(Enum):
    CREATED = "CREATED"
    AWAITING_CONFIRMATION = strawberry.enum_value(
        "AWAITING_CONFIRMATION",
        description="Charged from a payment code above the password-free limit; waiting for the payer.",
    )
    PAID = "PAID"
    CLOSED = "CLOSED"


@strawberry.enum(name="MerchantRefundStatus")
class MerchantRefundStatusEnum(Enum):
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type(name="Order")
class OrderType(Node):
    _model: strawberry.Private[Order]
    _for_payer: strawberry.Private[bool]
    id: strawberry.ID
    out_trade_no: str = strawberry.field(description="The merchant's own order number, unique per merchant.")
    amount: Money
    description: str | None
    status: OrderStatusEnum
    expires_at: datetime
    paid_at: datetime | None
    fee: Money = strawberry.field(description="The merchant's fee on this order (its fee rate, half-up to the fen).")
    refunded_amount: Money
    created_at: datetime

    @classmethod
    def from_model(cls, order: Order, *, for_payer: bool = False) -> OrderType:
        """``for_payer``: the payment-code payer's view (the transaction seen from the wallet)."""
        return cls(
            _model=order,
            _for_payer=for_payer,
            id=to_global_id("Order", order.id),
            out_trade_no=order.out_trade_no,
            amount=order.amount,
            description=order.description,
            status=OrderStatusEnum(resolvers.order_status(order)),
            expires_at=order.expires_at,
            paid_at=order.paid_at,
            fee=order.fee,
            refunded_amount=order.refunded_amount,
            created_at=order.created_at,
        )

    @strawberry.field
    async def merchant(self) -> MerchantRef:
        from ..payments.types import MerchantType

        return MerchantType.from_model(await resolvers.order_merchant(self._model))

    @strawberry.field(description="Text of the QR code a payer scans; payQrCode accepts it.")
    def qr_payload(self) -> str:
        from app.merchant_platform.orders import payload_of

        return payload_of(self._model)

    @strawberry.field
    def qr_svg(self) -> str:
        from app.merchant_platform.orders import qr_svg

        return qr_svg(self._model)

    @strawberry.field(description="The payment, once paid.")
    async def transaction(self) -> TransactionType | None:
        found = await resolvers.order_transaction(self._model, for_payer=self._for_payer)
        return TransactionType.from_model(*found) if found else None

    @strawberry.field
    async def refunds(self) -> list[MerchantRefundType]:
        if self._for_payer:
            return []
        return [MerchantRefundType.from_model(r) for r in await resolvers.order_refunds(self._model)]

    @strawberry.field(
        description="The payer's refund requests against this order (reviewed by staff), oldest first;"
        " seen by the owner and by keys with the ORDERS or REFUNDS scope."
    )
    async def refund_requests(self, info: Info) -> list[RefundRequestSummaryType]:
        if self._for_payer:
            return []
        found = await resolvers.order_refund_requests(info.context, self._model)
        return [RefundRequestSummaryType.from_model(r) for r in found]


@strawberry.type(
    name="RefundRequestSummary",
    description="A payer's refund request as the merchant sees it: no payer data, no free-text description.",
)
class RefundRequestSummaryType:
    refund_no: str
    amount: Money
    reason: RefundReasonEnum
    status: RefundStatusEnum
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def from_model(cls, refund: Refund) -> RefundRequestSummaryType:
        return cls(
            refund_no=refund.refund_no,
            amount=refund.amount,
            reason=RefundReasonEnum(refund.reason),
            status=RefundStatusEnum(refund.status),
            created_at=refund.created_at,
            completed_at=refund.completed_at,
        )


@strawberry.type(name="MerchantRefund")
class MerchantRefundType(Node):
    _model: strawberry.Private[MerchantRefund]
    id: strawberry.ID
    out_refund_no: str = strawberry.field(
        description="The merchant's own refund number, unique per merchant; a repeat with the same details"
        " answers the first result."
    )
    amount: Money
    reason: str | None
    status: MerchantRefundStatusEnum
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def from_model(cls, refund: MerchantRefund) -> MerchantRefundType:
        return cls(
            _model=refund,
            id=to_global_id("MerchantRefund", refund.id),
            out_refund_no=refund.out_refund_no,
            amount=refund.amount,
            reason=refund.reason,
            status=MerchantRefundStatusEnum(refund.status),
            created_at=refund.created_at,
            completed_at=refund.completed_at,
        )

    @strawberry.field
    async def order(self) -> OrderType:
        return OrderType.from_model(await resolvers.refund_order_of(self._model))

    @strawberry.field
    async def transaction(self) -> TransactionType | None:
        found = await resolvers.refund_transaction(self._model)
        return TransactionType.from_model(*found) if found else None


OrderConnection = Connection[OrderType]


@strawberry.type(name="PaymentCode")
class PaymentCodeType:
    _view: strawberry.Private[PaymentCodeView]
    code: str = strawberry.field(
        description="Digits the merchant scans (18 digits); valid until expiresAt and for one charge only."
    )
    expires_at: datetime

    @classmethod
    def from_view(cls, view: PaymentCodeView) -> PaymentCodeType:
        return cls(_view=view, code=view.code, expires_at=view.expires_at)

    @strawberry.field(description="SVG of the code as a QR code.")
    def qr_svg(self) -> str:
        return self._view.qr_svg()

    @strawberry.field(description="SVG of the code as a Code 128 barcode.")
    def barcode_svg(self) -> str:
        return self._view.barcode_svg()


# --- inputs and payloads ---

@strawberry.input
class CreateMerchantApiKeyInput:
    merchant_no: str
    name: str
    scopes: list[ApiKeyScopeEnum]
    payment_password: str


@strawberry.type
class CreateMerchantApiKeyPayload:
    api_key: MerchantApiKeyType | None = None
    secret: str | None = strawberry.field(
        default=None, description="The whole key, shown once; send it as `Authorization: Bearer <secret>`."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeMerchantApiKeyInput:
    api_key_id: strawberry.ID


@strawberry.type
class MerchantApiKeyPayload:
    api_key: MerchantApiKeyType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetMerchantFeeRateInput:
    merchant_no: str
    fee_rate_bps: int = strawberry.field(description="Basis points, 0 to 10000 (60 = 0.6 %).")


@strawberry.input
class CreateOrderInput:
    merchant_no: str | None = strawberry.field(
        default=None, description="Required with a user token; must match the API key's merchant otherwise."
    )
    out_trade_no: str
    amount: Money
    description: str | None = None
    expires_in_seconds: int | None = strawberry.field(default=None, description="Default 900.")


@strawberry.type
class OrderPayload:
    order: OrderType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CloseOrderInput:
    merchant_no: str | None = None
    out_trade_no: str


@strawberry.input
class RefundOrderInput:
    merchant_no: str | None = None
    out_trade_no: str
    out_refund_no: str
    amount: Money
    reason: str | None = None


@strawberry.type
class MerchantRefundPayload:
    refund: MerchantRefundType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class EnablePaymentCodeInput:
    payment_password: str


@strawberry.type
class EnablePaymentCodePayload:
    secret: str | None = strawberry.field(
        default=None,
        description="Base32 secret from which the app derives codes offline (RFC 6238, 30 s step); shown once.",
    )
    code_prefix: str | None = strawberry.field(
        default=None,
        description=(
            "The first 10 digits of every code of this secret (\"28\" + an 8-digit locator); a code is"
            " codePrefix + the otpDigits-digit TOTP (HMAC-SHA1) of the secret at its stepSeconds step."
        ),
    )
    step_seconds: int | None = strawberry.field(default=None, description="TOTP time step in seconds (30).")
    otp_digits: int | None = strawberry.field(default=None, description="Digits of the TOTP part of a code (8).")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DisablePaymentCodeInput:
    payment_password: str


@strawberry.input
class ChargePaymentCodeInput:
    merchant_no: str | None = strawberry.field(
        default=None, description="Required with a user token; must match the API key's merchant otherwise."
    )
    code: str
    amount: Money
    out_trade_no: str
    description: str | None = None


@strawberry.input
class ConfirmPaymentCodeChargeInput:
    order_id: strawberry.ID
    payment_password: str
    verification_code: str | None = None
