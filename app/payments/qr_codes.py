"""Merchant payment QR codes (seed 4.3).

The owner creates a code with or without an amount; its payload is an opaque token
``fenpay://pay?c=<token>`` (nothing in it can be changed by the payer: amount and merchant
come from the stored code). The payer's app sends the scanned payload to ``pay_code``.
A fixed-amount code is paid once; an open code (the payer enters the amount) can be paid
until it expires. The owner watches the code's topic and sees PAID with the transaction.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno

from models import Account, Merchant, Transaction, User
from models.payments import PaymentQrCode

from .. import clock
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork, unit_of_work
from ..fx import booking
from ..fx.currencies import MINOR_UNITS
from ..fx.limits import annual_limit_fen
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel
from ..ledger.accounts import wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..ledger.vocabulary import TransactionStatus, TransactionType
from ..merchant_platform import order_payment, orders
from ..risk.check import Outgoing, screen
from . import qr_events
from .merchants import owned_merchant
from .parties import merchant_party, payer_party
from .validation import optional_text, positive_amount

PAYLOAD_PREFIX = "fenpay://pay?c="
DEFAULT_LIFETIME_SECONDS = 300
MAX_LIFETIME_SECONDS = 86_400
OPERATION = "payQrCode"

ACTIVE, PAID, EXPIRED = "ACTIVE", "PAID", "EXPIRED"


def fixed_amount_scale(currency: str) -> int:
    """A code's ``amount`` is written like Money (hundredths) in the merchant account's
    currency ("1500.00" for JPY 1500): this divides it into that currency's minor unit."""
    return 10 ** (2 - MINOR_UNITS[currency])


def payload_of(code: PaymentQrCode) -> str:
    return PAYLOAD_PREFIX + code.token


def svg_of(payload: str) -> str:
    """A standalone SVG document of the QR code (segno, error correction level M)."""
    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(buffer, kind="svg", xmldecl=False, scale=4, border=4)
    return buffer.getvalue().decode()


def is_expired(code: PaymentQrCode, now: datetime | None = None) -> bool:
    return code.status == EXPIRED or (now or clock.now()) >= code.expires_at


def status_of(code: PaymentQrCode, now: datetime | None = None) -> str:
    """PAID once paid; EXPIRED once past its lifetime unpaid; ACTIVE otherwise."""
    if code.status == PAID:
        return PAID
    return EXPIRED if is_expired(code, now) else ACTIVE


async def latest_payment(code: PaymentQrCode) -> Transaction | None:
    """The paying transaction of a fixed-amount code; the most recent payment of an open one."""
    if code.transaction_id is None:
        return None
    if code.amount is not None:
        return await Transaction.get_or_none(id=code.transaction_id)
    merchant = await Merchant.get(id=code.merchant_id)
    return (
        await Transaction.filter(
            counterparty_account_id=merchant.account_id, reference_id=code.id, type=TransactionType.PAYMENT, status=TransactionStatus.SUCCEEDED
        )
        .order_by("-id")
        .first()
    )


async def create_code(
    owner: User, *, amount: int | None, description: str | None, expires_in_seconds: int | None
) -> PaymentQrCode:
    merchant = await owned_merchant(owner)
    if amount is not None:
        positive_amount(amount)
        currency = (await Account.get(id=merchant.account_id)).currency
        if amount % fixed_amount_scale(currency):
            raise DomainError(
                ErrorCode.INVALID_AMOUNT, f"{currency} 没有辅币单位：金额须为整数", input_field("amount")
            )
    description = optional_text(description, 100, "description")
    lifetime = DEFAULT_LIFETIME_SECONDS if expires_in_seconds is None else expires_in_seconds
    if not 1 <= lifetime <= MAX_LIFETIME_SECONDS:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            f"有效期须在 1 到 {MAX_LIFETIME_SECONDS} 秒之间",
            input_field("expiresInSeconds"),
        )
    return await PaymentQrCode.create(
        token=secrets.token_urlsafe(24),
        merchant_id=merchant.id,
        amount=amount,
        description=description,
        expires_at=clock.now() + timedelta(seconds=lifetime),
        created_by=owner.id,
    )


async def code_for_payload(payload: str) -> PaymentQrCode:
    text = (payload or "").strip()
    token = text[len(PAYLOAD_PREFIX):] if text.startswith(PAYLOAD_PREFIX) else None
    code = await PaymentQrCode.get_or_none(token=token) if token and len(token) <= 64 else None
    if code is None:
        raise DomainError(ErrorCode.NOT_FOUND, "无法识别的付款码", input_field("payload"))
    return code


@dataclass(frozen=True)
class PayQrCodeRequest:
    payload: str
    payment_password: str
    idempotency_key: str
    amount: int | None = None
    verification_code: str | None = None
    fx_quote_id: str | None = None
    """The live quote a foreign merchant's code is paid with (``createFxQuote``)."""

    def digest(self) -> str:
        parts: dict[str, object] = {"payload": self.payload.strip(), "amount": self.amount}
        if self.fx_quote_id:
            parts["fxQuoteId"] = self.fx_quote_id.strip()
        return idempotency.request_hash(OPERATION, parts)


def _amount_for(code: PaymentQrCode, entered: int | None) -> int:
    if code.amount is None:
        if entered is None:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入付款金额", input_field("amount"))
        return positive_amount(entered)
    if entered is not None and entered != code.amount:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "付款金额与付款码金额不一致", input_field("amount"))
    return code.amount


def refuse_if_unpayable(code: PaymentQrCode) -> None:
    """QR_CODE_USED (a paid fixed-amount code) or QR_CODE_EXPIRED; nothing for a payable code."""
    if code.amount is not None and code.status == PAID:
        raise DomainError(ErrorCode.QR_CODE_USED, "该付款码已被使用", input_field("payload"))
    if is_expired(code):
        raise DomainError(ErrorCode.QR_CODE_EXPIRED, "付款码已过期，请让商户重新生成", input_field("payload"))


async def _mark_paid(uow: UnitOfWork, code: PaymentQrCode, transaction: Transaction) -> None:
    """Fixed codes: the one conditional UPDATE that lets exactly one payer win. Open codes
    write their row only on the first payment, so a busy till code is no hot row either."""
    if code.amount is None and code.status == PAID:
        return
    won = await (
        PaymentQrCode.filter(id=code.id, status=ACTIVE, expires_at__gt=clock.now())
        .using_db(uow.conn)
        .update(status=PAID, transaction_id=transaction.id)
    )
    if won:
        return
    fresh = await PaymentQrCode.get(id=code.id, using_db=uow.conn)
    if fresh.status == PAID and code.amount is None:
        return  # another payer of this open code was first; nothing to record
    refuse_if_unpayable(fresh)
    raise DomainError(ErrorCode.QR_CODE_EXPIRED, "付款码已过期，请让商户重新生成", input_field("payload"))


async def pay_code(payer: User, request: PayQrCodeRequest) -> MoneyResult:
    """Pay a merchant's payment QR code, or a merchant order's QR payload (``fenpay://pay?o=``).

    A foreign merchant's code is paid with a live quote (``request.fx_quote_id``): the wallet
    is debited the quote's CNY amount and the merchant credited its own currency in one
    journal balanced per currency (``app/fx/booking.py``), within the annual cross-border limit.
    """
    if orders.is_order_payload(request.payload):
        if request.fx_quote_id:  # orders are in CNY: a foreign merchant cannot create them
            raise DomainError(ErrorCode.VALIDATION_FAILED, "订单以人民币计价，无需汇率报价", booking.quote_field())
        return await order_payment.pay_scanned_order(
            payer, payload=request.payload, amount=request.amount, payment_password=request.payment_password,
            idempotency_key=request.idempotency_key, verification_code=request.verification_code,
            digest=request.digest(),
        )
    idempotency.validate_key(request.idempotency_key)
    code = await code_for_payload(request.payload)
    merchant = await Merchant.get(id=code.merchant_id)
    merchant_account = await Account.get(id=merchant.account_id)
    booking.require_quote(merchant_account, request.fx_quote_id)
    foreign = booking.is_foreign(merchant_account)
    if foreign:
        amount = positive_amount(request.amount) if request.amount is not None else 0
    else:
        amount = _amount_for(code, request.amount)
    await verify_payment_password(payer, request.payment_password)

    key = Key(payer.id, request.idempotency_key, OPERATION, request.digest())
    if (first := await kernel.earlier(key)) is not None:
        return first

    refuse_if_unpayable(code)
    wallet = await wallet_of(payer.id)
    quote = None
    if foreign:
        quote = await booking.quote_for_payment(
            payer, request.fx_quote_id or "", merchant.id, cny_amount=amount or None, qr_code_id=code.id
        )
        amount = quote.cny_amount
    risk = Outgoing(user=payer, wallet_id=wallet.id, amount=amount, operation="QR_PAY",
                    verification_code=request.verification_code,
                    cross_border_limit_fen=await annual_limit_fen() if quote else None)
    rule = await screen(risk)
    counterparty, initiator = merchant_party(merchant), payer_party(payer, wallet)
    legs = (
        await booking.payment_legs(wallet, merchant_account, quote) if quote
        else (Leg(wallet, -amount), Leg(merchant_account, amount))
    )

    async def mark_paid(uow: UnitOfWork, transaction: Transaction, _balances: object) -> None:
        if quote is not None:
            await booking.claim(uow.conn, quote, transaction)
        await _mark_paid(uow, code, transaction)
        await qr_events.emit_paid(uow, code.id, transaction.id)

    return await kernel.move(
        Movement(
            type=TransactionType.PAYMENT, account=wallet, amount=amount, key=key, risk=risk, allow_rule=rule,
            legs=legs, memo=f"fx {quote.quote_no}" if quote else None,
            counterparty_account_id=merchant_account.id,
            counterparty_name=counterparty.name, counterparty_ref=counterparty.ref,
            initiator_name=initiator.name, initiator_ref=initiator.ref,
            description=code.description, reference_id=code.id,
            notices=(Notice(wallet, -amount, sms_phone=payer.phone),),
            after=mark_paid,
        )
    )


async def expire_due(now: datetime) -> int:
    """Mark unpaid codes past their lifetime EXPIRED and tell their watchers; returns how many."""
    due = await PaymentQrCode.filter(status=ACTIVE, expires_at__lte=now).order_by("id").limit(500)
    expired = 0
    for code in due:
        async with unit_of_work() as uow:
            changed = await (
                PaymentQrCode.filter(id=code.id, status=ACTIVE).using_db(uow.conn).update(status=EXPIRED)
            )
            if changed:
                await qr_events.emit_status(uow, code.id, EXPIRED, None)
                expired += 1
    return expired
