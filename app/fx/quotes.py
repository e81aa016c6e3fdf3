"""Cross-border quotes (``createFxQuote``): the rate locked for one payment, shown before the
payment password.

A quote is made for a foreign merchant, by merchant number or by a scanned payment-QR payload,
for an amount in CNY or in the merchant's currency; the other side is converted at the
source's rate (``rates.to_cny`` / ``rates.from_cny``, half-up to the minor unit) and both are
stored with the rate. It stays valid ``Settings.fx_quote_validity_seconds`` (60 s) and pays
exactly one payment (``booking.claim``).

Errors: NOT_FOUND (merchant or code), VALIDATION_FAILED (a CNY merchant; none or both of
merchantNo/payload; amount missing or at odds with a fixed-amount code), CURRENCY_NOT_SUPPORTED
(amountCurrency neither CNY nor the merchant's), INVALID_AMOUNT, AMOUNT_TOO_LARGE,
QR_CODE_USED/QR_CODE_EXPIRED, FX_UNAVAILABLE (no rate source configured).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from models import Account, Merchant, User
from models.fx import FxQuote

from .. import clock, runtime
from ..errors import DomainError, ErrorCode, input_field
from ..money import format_fen
from ..payments import qr_codes
from ..payments.merchants import payable_merchant
from .booking import is_foreign
from .currencies import CNY, format_minor, parse_amount, supported
from .rates import format_rate, from_cny, rate_source, to_cny


@dataclass(frozen=True)
class QuoteRequest:
    merchant_no: str | None
    payload: str | None
    amount: str | None
    amount_currency: str = CNY


async def _target(request: QuoteRequest) -> tuple[Merchant, int | None, int | None]:
    """The merchant, the QR code's id and its fixed amount (merchant currency), if any."""
    if bool(request.merchant_no) == bool(request.payload):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请提供商户号或付款码之一", input_field("merchantNo"))
    if request.merchant_no:
        return await payable_merchant(request.merchant_no), None, None
    code = await qr_codes.code_for_payload(request.payload or "")
    qr_codes.refuse_if_unpayable(code)
    merchant = await Merchant.filter(id=code.merchant_id).select_related("account").first()
    assert merchant is not None  # codes reference their merchant (RESTRICT)
    fixed = None if code.amount is None else code.amount // qr_codes.fixed_amount_scale(merchant.account.currency)
    return merchant, code.id, fixed


def _amounts(request: QuoteRequest, currency: str, fixed: int | None, rate: Decimal) -> tuple[int, int]:
    """(cny fen, merchant minor units)."""
    field = input_field("amount")
    given = supported(request.amount_currency, input_field("amountCurrency"))
    if given not in (CNY, currency):
        raise DomainError(
            ErrorCode.CURRENCY_NOT_SUPPORTED, f"金额须以人民币或商户结算币种 {currency} 填写", input_field("amountCurrency")
        )
    if fixed is not None:
        if request.amount is not None and not (
            given == currency and parse_amount(request.amount, currency, field) == fixed
        ):
            raise DomainError(ErrorCode.VALIDATION_FAILED, "付款码已有固定金额，无需填写金额", field)
        return to_cny(fixed, currency, rate), fixed
    if request.amount is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入付款金额", field)
    minor = parse_amount(request.amount, given, field)
    return (minor, from_cny(minor, currency, rate)) if given == CNY else (to_cny(minor, currency, rate), minor)


async def create_quote(user: User, request: QuoteRequest) -> FxQuote:
    """A new quote for ``user`` (see the module docstring)."""
    merchant, code_id, fixed = await _target(request)
    account: Account = merchant.account
    if not is_foreign(account):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "该商户以人民币结算，无需汇率报价", input_field("merchantNo"))
    rate = await rate_source().cny_per_unit(account.currency)
    cny, minor = _amounts(request, account.currency, fixed, rate)
    if cny <= 0 or minor <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "金额过小，换算后不足一个最小货币单位", input_field("amount"))
    settings = runtime.settings()
    if cny > settings.max_movement_fen:
        raise DomainError(
            ErrorCode.AMOUNT_TOO_LARGE, f"单笔金额不能超过 {format_fen(settings.max_movement_fen)} 元", input_field("amount")
        )
    return await FxQuote.create(
        quote_no="FXQ" + secrets.token_urlsafe(18),
        user_id=user.id,
        merchant_id=merchant.id,
        currency=account.currency,
        cny_amount=cny,
        merchant_amount=minor,
        rate=format_rate(rate),
        qr_code_id=code_id,
        expires_at=clock.now() + timedelta(seconds=settings.fx_quote_validity_seconds),
    )


async def quote_of(user: User, quote_no: str) -> FxQuote | None:
    """The user's own quote by its public id."""
    return await FxQuote.get_or_none(quote_no=quote_no, user_id=user.id) if 0 < len(quote_no) <= 40 else None


def describe(quote: FxQuote) -> str:
    """One line for logs and messages: ``100.00 CNY = 14.08 USD @ 7.100000``."""
    return f"{format_fen(quote.cny_amount)} CNY = {format_minor(quote.merchant_amount, quote.currency)} {quote.currency} @ {quote.rate}"
