"""Merchant, PaymentQrCode, and the inputs and payloads of the payment mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from models import Merchant
from models.payments import PaymentQrCode
from resolvers import fx as fx_resolvers
from resolvers import payments_fields

from ..context import Info
from ..errors import UserError
from ..fx.types import CurrencyEnum
from ..merchant_platform.merchant_fields import MerchantPlatformFields
from ..merchant_platform.ops_fields import MerchantPlatformOpsFields
from ..money.types import AccountType, ChannelEnum, TransactionType
from ..node import Node, to_global_id
from ..scalars import Money


@strawberry.type(name="Merchant")
class MerchantType(MerchantPlatformFields, MerchantPlatformOpsFields, Node):
    _model: strawberry.Private[Merchant]
    id: strawberry.ID
    merchant_no: str
    name: str
    category: str

    @classmethod
    def from_model(cls, merchant: Merchant) -> MerchantType:
        return cls(
            _model=merchant,
            id=to_global_id("Merchant", merchant.id),
            merchant_no=merchant.merchant_no,
            name=merchant.name,
            category=merchant.category,
        )

    @strawberry.field(description="The merchant account's currency (CNY unless staff set another).")
    async def currency(self) -> CurrencyEnum:
        return CurrencyEnum(await fx_resolvers.merchant_currency(self._model))

    @strawberry.field(
        description="The merchant account (receives the payments); visible to its owner and staff only (null otherwise)."
    )
    async def account(self, info: Info) -> AccountType | None:
        account = await payments_fields.merchant_account(info.context, self._model)
        return AccountType.from_model(account) if account else None


@strawberry.enum(name="PaymentQrCodeStatus")
class PaymentQrCodeStatusEnum(Enum):
    ACTIVE = "ACTIVE"
    PAID = "PAID"
    EXPIRED = "EXPIRED"


@strawberry.type(name="PaymentQrCode")
class PaymentQrCodeType(Node):
    _model: strawberry.Private[PaymentQrCode]
    _transaction_id: strawberry.Private[int | None]
    id: strawberry.ID
    amount: Money | None = strawberry.field(
        description="Null for a code on which the payer enters the amount; in the merchant's currency"
        ' (a JPY code shows whole yen as "1500.00").'
    )
    description: str | None
    payload: str = strawberry.field(description="The text encoded in the QR code.")
    status: PaymentQrCodeStatusEnum
    expires_at: datetime

    @classmethod
    def from_model(
        cls, code: PaymentQrCode, *, status: str | None = None, transaction_id: int | None = None
    ) -> PaymentQrCodeType:
        """``status``/``transaction_id``: a pushed event's view (default: the stored state)."""
        return cls(
            _model=code,
            _transaction_id=transaction_id,
            id=to_global_id("PaymentQrCode", code.id),
            amount=code.amount,
            description=code.description,
            payload=payments_fields.qr_payload(code),
            status=PaymentQrCodeStatusEnum(status or payments_fields.qr_status(code)),
            expires_at=code.expires_at,
        )

    @strawberry.field
    async def merchant(self) -> MerchantType:
        return MerchantType.from_model(await payments_fields.qr_merchant(self._model))

    @strawberry.field(description="SVG image of the QR code.")
    def svg(self) -> str:
        return payments_fields.qr_svg(self._model)

    @strawberry.field(
        description="The payment, seen by the merchant: the one payment of a fixed-amount code,"
        " the latest of an open one (in a pushed event: the payment that event announces)."
    )
    async def transaction(self) -> TransactionType | None:
        found = await payments_fields.qr_transaction(self._model, self._transaction_id)
        if found is None:
            return None
        tx, perspective = found
        return TransactionType.from_model(tx, perspective)


@strawberry.input
class CreateMerchantInput:
    name: str
    category: str
    owner_phone: str = strawberry.field(description="Phone of the registered user who will own the merchant.")
    currency: CurrencyEnum = strawberry.field(default=CurrencyEnum.CNY, description="The merchant account's currency.")


@strawberry.type
class MerchantPayload:
    merchant: MerchantType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PayInput:
    merchant_no: str
    amount: Money
    channel: ChannelEnum = strawberry.field(description="WALLET_BALANCE, BANK_CARD or THIRD_PARTY.")
    bank_card_id: strawberry.ID | None = None
    payment_password: str
    verification_code: str | None = strawberry.field(
        default=None,
        description="Needed when a step-up check asks for it (error VERIFICATION_REQUIRED); purpose PAYMENT.",
    )
    description: str | None = None
    idempotency_key: str
    fx_quote_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for a foreign merchant (createFxQuote); WALLET_BALANCE only."
    )


@strawberry.input
class TransferInput:
    recipient: str = strawberry.field(description="Recipient's phone number or account number.")
    amount: Money
    payment_password: str
    verification_code: str | None = None
    note: str | None = None
    idempotency_key: str


@strawberry.input
class CreatePaymentQrCodeInput:
    amount: Money | None = strawberry.field(
        default=None, description="Omit for a code on which the payer enters the amount."
    )
    description: str | None = None
    expires_in_seconds: int | None = strawberry.field(
        default=None, description="Lifetime of the code; default 300, at most 86400."
    )


@strawberry.type
class PaymentQrCodePayload:
    qr_code: PaymentQrCodeType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PayQrCodeInput:
    payload: str = strawberry.field(description="The scanned text.")
    amount: Money | None = strawberry.field(
        default=None,
        description="Required when the code carries no amount (a foreign merchant's code: the quote's CNY amount, optional).",
    )
    payment_password: str
    verification_code: str | None = None
    idempotency_key: str
    fx_quote_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for a foreign merchant's code: a live quote from createFxQuote."
    )
