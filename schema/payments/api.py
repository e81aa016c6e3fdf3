"""Payments API: merchants, pay, transfer, payment QR codes and their live status."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.errors import DomainError, ErrorCode
from app.ledger.kernel import MoneyResult
from app.payments.pay import PayRequest
from app.payments.qr_codes import PayQrCodeRequest
from app.payments.transfer import TransferRequest
from resolvers import payments as resolvers

from ..context import Info
from ..errors import returns_payload
from ..money.inputs import TransactionPayload
from ..money.types import AccountType, TransactionType
from ..node import from_global_id, register_node
from ..permissions import ADMINS, MERCHANTS, SIGNED_IN
from .types import (
    CreateMerchantInput,
    CreatePaymentQrCodeInput,
    MerchantPayload,
    MerchantType,
    PayInput,
    PaymentQrCodePayload,
    PaymentQrCodeType,
    PayQrCodeInput,
    TransferInput,
)


def _transaction_payload(outcome: MoneyResult) -> TransactionPayload:
    return TransactionPayload(
        transaction=TransactionType.from_model(outcome.transaction),
        account=AccountType.from_model(outcome.account, outcome.balance),
        errors=[],
    )


def _bank_card_pk(global_id: strawberry.ID | None) -> int | None:
    if global_id is None:
        return None
    pk = from_global_id(global_id, "BankCard")
    if pk is None:
        raise DomainError(ErrorCode.NOT_FOUND, "银行卡不存在", ("input", "bankCardId"))
    return pk


@register_node("Merchant")
async def _load_merchant(info: Info, pk: int) -> MerchantType | None:
    merchant = await resolvers.visible_merchant(info.context, pk)
    return MerchantType.from_model(merchant) if merchant else None


@register_node("PaymentQrCode")
async def _load_qr_code(info: Info, pk: int) -> PaymentQrCodeType | None:
    code = await resolvers.visible_qr_code(info.context, pk)
    return PaymentQrCodeType.from_model(code) if code else None


@strawberry.type
class Query:
    @strawberry.field(description="A merchant by its public number (the merchant account only for owner and staff).")
    async def merchant(self, merchant_no: str) -> MerchantType | None:
        merchant = await resolvers.merchant_by_no(merchant_no)
        return MerchantType.from_model(merchant) if merchant else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Staff only (ADMIN).", permission_classes=ADMINS)
    @returns_payload(MerchantPayload)
    async def create_merchant(self, info: Info, input: CreateMerchantInput) -> MerchantPayload:
        merchant = await resolvers.create_merchant(
            info.context, input.name, input.category, input.owner_phone, currency=input.currency.value
        )
        return MerchantPayload(merchant=MerchantType.from_model(merchant), errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(TransactionPayload)
    async def pay(self, info: Info, input: PayInput) -> TransactionPayload:
        request = PayRequest(
            merchant_no=input.merchant_no,
            amount=input.amount,
            channel=input.channel.value,
            payment_password=input.payment_password,
            idempotency_key=input.idempotency_key,
            bank_card_id=_bank_card_pk(input.bank_card_id),
            verification_code=input.verification_code,
            description=input.description,
            fx_quote_id=input.fx_quote_id,
        )
        return _transaction_payload(await resolvers.pay_merchant(info.context, request))

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(TransactionPayload)
    async def transfer(self, info: Info, input: TransferInput) -> TransactionPayload:
        request = TransferRequest(
            recipient=input.recipient,
            amount=input.amount,
            payment_password=input.payment_password,
            idempotency_key=input.idempotency_key,
            verification_code=input.verification_code,
            note=input.note,
        )
        return _transaction_payload(await resolvers.transfer_money(info.context, request))

    @strawberry.mutation(description="For a merchant's owner.", permission_classes=MERCHANTS)
    @returns_payload(PaymentQrCodePayload)
    async def create_payment_qr_code(
        self, info: Info, input: CreatePaymentQrCodeInput
    ) -> PaymentQrCodePayload:
        code = await resolvers.create_qr_code(info.context, input.amount, input.description, input.expires_in_seconds)
        return PaymentQrCodePayload(qr_code=PaymentQrCodeType.from_model(code), errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(TransactionPayload)
    async def pay_qr_code(self, info: Info, input: PayQrCodeInput) -> TransactionPayload:
        request = PayQrCodeRequest(
            payload=input.payload,
            amount=input.amount,
            payment_password=input.payment_password,
            idempotency_key=input.idempotency_key,
            verification_code=input.verification_code,
            fx_quote_id=input.fx_quote_id,
        )
        return _transaction_payload(await resolvers.pay_qr_code(info.context, request))


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="For the owning merchant (and staff): the code's current status, then each change"
        " (e.g. to PAID, with the transaction).",
        permission_classes=SIGNED_IN,
    )
    async def payment_qr_code_status(
        self, info: Info, qr_code_id: strawberry.ID
    ) -> AsyncGenerator[PaymentQrCodeType, None]:
        code_id = from_global_id(qr_code_id, "PaymentQrCode")
        async for state in resolvers.watch_qr_code(info.context, code_id):
            yield PaymentQrCodeType.from_model(state.code, status=state.status, transaction_id=state.transaction_id)
