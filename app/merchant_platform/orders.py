"""Merchant orders keyed by the merchant's own ``outTradeNo``.

An order is created by the merchant's server (API key with ORDERS, or the owner), carries
a QR payload ``fenpay://pay?o=<token>`` that the payer's app pays with ``payQrCode``
(``order_payment.pay_scanned_order``), can be closed while unpaid, and is closed by the
expiry job after ``expires_at``. Repeating a creation with the same ``outTradeNo`` and the
same details answers the existing order; different details are DUPLICATE_OUT_TRADE_NO.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from tortoise.exceptions import IntegrityError

from models import Merchant
from models.merchant_platform import Order

from .. import clock
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import unit_of_work
from ..fx.booking import require_cny_merchant
from ..payments.validation import optional_text, positive_amount
from . import order_events

PAYLOAD_PREFIX = "fenpay://pay?o="
DEFAULT_LIFETIME_SECONDS = 900
MIN_LIFETIME_SECONDS = 60
MAX_LIFETIME_SECONDS = 86_400
MAX_AMOUNT_FEN = 100_000_000  # 1,000,000.00 per order

CREATED, AWAITING_CONFIRMATION, PAID, CLOSED = "CREATED", "AWAITING_CONFIRMATION", "PAID", "CLOSED"
OPEN_STATUSES = (CREATED, AWAITING_CONFIRMATION)
SOURCE_QR, SOURCE_PAYMENT_CODE = "QR", "PAYMENT_CODE"


def checked_out_no(value: str, field: str) -> str:
    """A merchant's own number: 1-64 printable ASCII characters without spaces."""
    text = (value or "").strip()
    if not 1 <= len(text) <= 64 or not text.isascii() or not text.isprintable() or " " in text:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "商户单号须为 1-64 个字母、数字或符号", input_field(field))
    return text


def checked_order_amount(amount: int) -> int:
    positive_amount(amount)
    if amount > MAX_AMOUNT_FEN:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "单笔订单金额不能超过 1,000,000.00 元", input_field("amount"))
    return amount


def payload_of(order: Order) -> str:
    return PAYLOAD_PREFIX + order.token


def is_order_payload(payload: str | None) -> bool:
    return (payload or "").strip().startswith(PAYLOAD_PREFIX)


def qr_svg(order: Order) -> str:
    buffer = io.BytesIO()
    segno.make_qr(payload_of(order), error="m").save(buffer, kind="svg", xmldecl=False, scale=4, border=4)
    return buffer.getvalue().decode()


def status_of(order: Order, now: datetime | None = None) -> str:
    """The stored status, except that an open order past ``expires_at`` reads CLOSED
    (the expiry job writes it, and tells the merchant, on its next run)."""
    if order.status in OPEN_STATUSES and (now or clock.now()) >= order.expires_at:
        return CLOSED
    return order.status


def _same_details(order: Order, amount: int, description: str | None, source: str) -> bool:
    return order.amount == amount and order.description == description and order.source == source


@dataclass(frozen=True)
class NewOrder:
    """A ``createOrder``: the merchant's own ``out_trade_no``, ``amount`` in fen (CNY), an
    optional ``description`` and lifetime in seconds (None: ``DEFAULT_LIFETIME_SECONDS``)."""

    out_trade_no: str
    amount: int
    description: str | None = None
    expires_in_seconds: int | None = None


async def create_order(merchant: Merchant, new: NewOrder) -> Order:
    """Create (or, for a repeat with the same details, answer) an order of ``merchant``
    (orders are in CNY: CURRENCY_NOT_SUPPORTED for a merchant paid in another currency)."""
    out_trade_no = checked_out_no(new.out_trade_no, "outTradeNo")
    await require_cny_merchant(merchant, "订单", input_field("merchantNo"))
    amount = new.amount
    checked_order_amount(amount)
    description = optional_text(new.description, 100, "description")
    lifetime = DEFAULT_LIFETIME_SECONDS if new.expires_in_seconds is None else new.expires_in_seconds
    if not MIN_LIFETIME_SECONDS <= lifetime <= MAX_LIFETIME_SECONDS:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            f"有效期须在 {MIN_LIFETIME_SECONDS} 到 {MAX_LIFETIME_SECONDS} 秒之间",
            input_field("expiresInSeconds"),
        )
    existing = await Order.get_or_none(merchant_id=merchant.id, out_trade_no=out_trade_no)
    if existing is None:
        try:
            return await Order.create(
                merchant_id=merchant.id,
                out_trade_no=out_trade_no,
                amount=amount,
                description=description,
                source=SOURCE_QR,
                token=secrets.token_urlsafe(24),
                expires_at=clock.now() + timedelta(seconds=lifetime),
            )
        except IntegrityError:  # a concurrent request with the same outTradeNo was first
            existing = await Order.get(merchant_id=merchant.id, out_trade_no=out_trade_no)
    if not _same_details(existing, amount, description, SOURCE_QR):
        raise duplicate_out_trade_no()
    return existing


def duplicate_out_trade_no() -> DomainError:
    return DomainError(
        ErrorCode.DUPLICATE_OUT_TRADE_NO, "该商户单号已用于另一笔不同的订单", input_field("outTradeNo")
    )


async def order_of(merchant: Merchant, out_trade_no: str, field: str = "outTradeNo") -> Order:
    order = await Order.get_or_none(merchant_id=merchant.id, out_trade_no=(out_trade_no or "").strip())
    if order is None:
        raise DomainError(ErrorCode.NOT_FOUND, "订单不存在", input_field(field))
    return order


async def find_order(merchant: Merchant, out_trade_no: str) -> Order | None:
    return await Order.get_or_none(merchant_id=merchant.id, out_trade_no=(out_trade_no or "").strip())


async def _close(order: Order, merchant: Merchant, *, expected: tuple[str, ...]) -> bool:
    """Move an open order to CLOSED (one conditional UPDATE) and tell its watchers and the merchant."""
    now = clock.now()
    async with unit_of_work() as uow:
        changed = await (
            Order.filter(id=order.id, status__in=expected).using_db(uow.conn).update(status=CLOSED, closed_at=now)
        )
        if not changed:
            return False
        order.status, order.closed_at = CLOSED, now
        await order_events.order_closed(uow, order, merchant)
    return True


async def close_order(merchant: Merchant, out_trade_no: str) -> Order:
    """Close an unpaid order; closing a closed one answers it; a paid one is INVALID_STATE."""
    order = await order_of(merchant, out_trade_no)
    if order.status in OPEN_STATUSES:
        await _close(order, merchant, expected=OPEN_STATUSES)
        order = await Order.get(id=order.id)
    if order.status == PAID:
        raise DomainError(ErrorCode.INVALID_STATE, "订单已支付，不能关闭（请使用退款）", input_field("outTradeNo"))
    return order


def merchant_orders(merchant: Merchant, status: str | None):  # noqa: ANN201 - a Tortoise queryset
    """The merchant's orders (optionally of one stored status), for pagination."""
    queryset = Order.filter(merchant_id=merchant.id)
    return queryset.filter(status=status) if status else queryset


async def expire_due(now: datetime) -> int:
    """Close open orders past their lifetime; returns how many were closed."""
    due = await Order.filter(status__in=OPEN_STATUSES, expires_at__lte=now).order_by("id").limit(500)
    closed = 0
    merchants: dict[int, Merchant] = {}
    for order in due:
        merchant = merchants.get(order.merchant_id) or await Merchant.get(id=order.merchant_id)
        merchants[order.merchant_id] = merchant
        if await _close(order, merchant, expected=OPEN_STATUSES):
            closed += 1
    return closed
