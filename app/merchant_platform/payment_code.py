"""The user-presented payment code (付款码): the payer shows it, the merchant's till scans it.

A user enables it with the payment password and gets a base32 secret (AES-GCM at rest). A code
is 18 digits: ``28`` + the secret's 8-digit random ``locator`` + an 8-digit RFC 6238 TOTP over
the secret (``pyotp``, 30 s step, SHA-1), so the app can derive codes offline. A till charges a
code within +-1 step of now, and each code once: the secret's ``last_used_step`` moves forward
with one conditional UPDATE in the charge's transaction, so of two tills charging one code
exactly one wins. After a charge ``current_code`` answers the next step's code.

Up to the password-free limit (setting, per charge and per China day) the order is paid at once
from the balance (risk check as for every payment); above it the order is AWAITING_CONFIRMATION,
pushed to the payer, who confirms with the payment password (and a step-up code where the risk
check asks). Disabling the code or resetting the payment password deletes the secret.
"""

from __future__ import annotations

import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import barcode
import pyotp
import segno
from barcode.writer import SVGWriter
from tortoise import connections
from tortoise.exceptions import IntegrityError

from models import Merchant, User
from models.merchant_platform import Order, PaymentCodeSecret

from .. import audit, clock, crypto, db, runtime
from ..business_days import china_day_start
from ..db import Conn
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork, unit_of_work
from ..fx.booking import require_cny_merchant
from ..identity.payment_password import verify_payment_password
from ..ledger import kernel, sql
from ..ledger.accounts import wallet_of
from ..ledger.kernel import Movement
from ..payments.validation import optional_text
from ..risk.check import Outgoing, screen
from . import order_events, orders
from .order_payment import merchant_of, move_for_order, order_movement

STEP_SECONDS = 30
CODE_PREFIX = "28"
OTP_DIGITS = 8
CODE_LENGTH = len(CODE_PREFIX) + 8 + OTP_DIGITS  # 18
PAID_AT_ONCE_LIFETIME = timedelta(seconds=60)
CONFIRMATION_LIFETIME = timedelta(seconds=300)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=OTP_DIGITS, interval=STEP_SECONDS)


def step_of(instant: datetime) -> int:
    return int(instant.timestamp()) // STEP_SECONDS


def code_at(row: PaymentCodeSecret, secret: str, step: int) -> str:
    return CODE_PREFIX + row.locator + _totp(secret).at(step * STEP_SECONDS)


def _invalid_code() -> DomainError:
    return DomainError(ErrorCode.PAYMENT_CODE_INVALID, "付款码无效、已过期或已使用", input_field("code"))


async def is_enabled(user_id: int) -> bool:
    return await PaymentCodeSecret.filter(user_id=user_id).exists()


@dataclass(frozen=True)
class EnabledCode:
    """What the app keeps to derive codes offline: the base32 ``secret`` and the 10-digit
    ``prefix`` (``28`` + locator) every code of it starts with (shown once, at enable time)."""

    secret: str
    prefix: str
    step_seconds: int = STEP_SECONDS
    otp_digits: int = OTP_DIGITS

    def __repr__(self) -> str:  # never the secret in a log line or a traceback
        return f"EnabledCode(prefix={self.prefix!r})"


async def enable(user: User, payment_password: str, *, ip: str | None) -> EnabledCode:
    """A new secret for ``user`` (replacing any earlier one), shown once. Errors: the payment
    password's (PAYMENT_PASSWORD_INVALID, locked, not set)."""
    await verify_payment_password(user, payment_password)
    secret = pyotp.random_base32()
    for _ in range(5):
        locator = f"{secrets.randbelow(10**8):08d}"
        try:
            async with db.atomic() as conn:
                await PaymentCodeSecret.filter(user_id=user.id).using_db(conn).delete()
                await PaymentCodeSecret.create(
                    user_id=user.id, locator=locator, secret_enc=crypto.encrypt(secret), using_db=conn
                )
                await audit.record("payment_code.enable", actor_id=user.id, ip=ip, conn=conn)
            return EnabledCode(secret=secret, prefix=CODE_PREFIX + locator)
        except IntegrityError:  # the random locator is taken (or a concurrent enable): draw again
            continue
    raise DomainError(ErrorCode.INVALID_STATE, "暂时无法开通付款码，请重试", None)


async def disable(user: User, payment_password: str, *, ip: str | None) -> None:
    await verify_payment_password(user, payment_password)
    await invalidate(user.id)
    await audit.record("payment_code.disable", actor_id=user.id, ip=ip)


async def invalidate(user_id: int) -> None:
    """Delete the secret (disabling, payment-password reset): every code of it stops working."""
    await PaymentCodeSecret.filter(user_id=user_id).delete()


@dataclass(frozen=True)
class PaymentCodeView:
    code: str
    expires_at: datetime

    def qr_svg(self) -> str:
        buffer = io.BytesIO()
        segno.make_qr(self.code, error="m").save(buffer, kind="svg", xmldecl=False, scale=4, border=4)
        return buffer.getvalue().decode()

    def barcode_svg(self) -> str:
        """Code 128 (python-barcode's SVG writer), with the digits printed below."""
        buffer = io.BytesIO()
        barcode.get("code128", self.code, writer=SVGWriter()).write(buffer, options={"module_height": 12.0})
        return buffer.getvalue().decode()


async def current_code(user: User) -> PaymentCodeView | None:
    """The code to show now: this step's, or the next unused step's after a charge; None when off."""
    row = await PaymentCodeSecret.get_or_none(user_id=user.id)
    if row is None:
        return None
    step = max(step_of(clock.now()), row.last_used_step + 1)
    expires = datetime.fromtimestamp((step + 1) * STEP_SECONDS, tz=UTC)
    return PaymentCodeView(code=code_at(row, crypto.decrypt(row.secret_enc), step), expires_at=expires)


async def _match(code: str) -> tuple[PaymentCodeSecret, int]:
    """The secret and step of a code that is valid now and unused (PAYMENT_CODE_INVALID otherwise)."""
    text = (code or "").strip()
    if len(text) != CODE_LENGTH or not text.isdigit() or not text.startswith(CODE_PREFIX):
        raise _invalid_code()
    row = await PaymentCodeSecret.get_or_none(locator=text[2:10])
    if row is None:
        raise _invalid_code()
    secret = crypto.decrypt(row.secret_enc)
    now_step = step_of(clock.now())
    for step in (now_step - 1, now_step, now_step + 1):
        if step > row.last_used_step and hmac.compare_digest(_totp(secret).at(step * STEP_SECONDS), text[10:]):
            return row, step
    raise _invalid_code()


async def _password_free_today(user_id: int, conn: Conn | None = None) -> int:
    """Password-free charges paid today (China day), in fen; under the payer's wallet lock when
    ``conn`` holds it."""
    rows = await sql.fetch(
        conn or connections.get("default"),
        "SELECT COALESCE(SUM(amount), 0) AS total FROM merchant_orders"
        " WHERE payer_user_id = ? AND password_free = ? AND status = 'PAID' AND paid_at >= ?",
        user_id, True, china_day_start(clock.now()),
    )
    return int(rows[0]["total"] or 0)


class _OverPasswordFreeLimit(Exception):
    """Under the wallet lock, the charge would take the day's password-free total over the limit."""


async def _password_free_rule(payer: User, wallet_id: int, amount: int) -> tuple[Outgoing, str] | None:
    """The risk check and its rule when the charge may be paid without the payer (None: the
    payer confirms). Status and step-up are screened here; the kernel evaluates the limits
    under the wallet lock. Raises ACCOUNT_FROZEN and the like."""
    limit = runtime.settings().payment_code_password_free_fen
    if amount > limit or await _password_free_today(payer.id) + amount > limit:
        return None
    risk = Outgoing(user=payer, wallet_id=wallet_id, amount=amount, operation="PAY")
    try:
        return risk, await screen(risk)
    except DomainError as error:
        if error.code in (ErrorCode.VERIFICATION_REQUIRED, ErrorCode.TOTP_REQUIRED):
            return None  # the payer confirms, with the step-up code
        raise


async def _existing_charge(merchant: Merchant, out_trade_no: str, amount: int, description: str | None) -> Order | None:
    existing = await orders.find_order(merchant, out_trade_no)
    if existing is None:
        return None
    if existing.source != orders.SOURCE_PAYMENT_CODE or existing.amount != amount or existing.description != description:
        raise orders.duplicate_out_trade_no()
    return existing


async def charge(
    merchant: Merchant, *, code: str, amount: int, out_trade_no: str, description: str | None
) -> Order:
    """Charge a payer's code for the merchant (``merchant.account`` loaded); a repeat of the
    ``outTradeNo`` with the same details answers the first order. Errors: PAYMENT_CODE_INVALID,
    DUPLICATE_OUT_TRADE_NO, INSUFFICIENT_FUNDS and the risk check's refusals."""
    out_trade_no = orders.checked_out_no(out_trade_no, "outTradeNo")
    orders.checked_order_amount(amount)
    description = optional_text(description, 100, "description")
    await require_cny_merchant(merchant, "付款码收款", input_field("merchantNo"))
    earlier = await _existing_charge(merchant, out_trade_no, amount, description)
    if earlier is not None:
        return earlier
    row, step = await _match(code)
    payer = await User.get(id=row.user_id)
    wallet = await wallet_of(payer.id)
    free = await _password_free_rule(payer, wallet.id, amount)
    now = clock.now()
    created: list[Order] = []

    async def claim_and_create(uow: UnitOfWork, *, paid_at_once: bool) -> Order:
        """Spend the code's step (one conditional UPDATE: of two tills one wins) and write the order."""
        claimed = await sql.fetch(
            uow.conn,
            "UPDATE payment_code_secrets SET last_used_step = ? WHERE id = ? AND last_used_step < ? RETURNING id",
            step, row.id, step,
        )
        if not claimed:
            raise _invalid_code()
        order = await Order.create(
            merchant_id=merchant.id,
            out_trade_no=out_trade_no,
            amount=amount,
            description=description,
            source=orders.SOURCE_PAYMENT_CODE,
            status=orders.CREATED if paid_at_once else orders.AWAITING_CONFIRMATION,
            token=secrets.token_urlsafe(24),
            expires_at=now + (PAID_AT_ONCE_LIFETIME if paid_at_once else CONFIRMATION_LIFETIME),
            payer_user_id=payer.id,
            password_free=paid_at_once,
            using_db=uow.conn,
        )
        created.append(order)
        return order

    async def paid_at_once(uow: UnitOfWork) -> Movement:
        assert free is not None
        # The day's password-free total is read again under the payer's wallet lock, so two
        # tills charging at once cannot both stay under the limit.
        await kernel.lock_wallet(uow.conn, wallet.id)
        if await _password_free_today(payer.id, uow.conn) + amount > runtime.settings().payment_code_password_free_fen:
            raise _OverPasswordFreeLimit
        order = await claim_and_create(uow, paid_at_once=True)
        risk, rule = free
        return await order_movement(
            order, merchant, payer, wallet, key=None, risk=risk, allow_rule=rule, from_statuses=(orders.CREATED,)
        )

    async def awaiting_confirmation() -> None:
        async with unit_of_work() as uow:
            order = await claim_and_create(uow, paid_at_once=False)
            await order_events.order_changed(uow, order, notify_payer=True)

    try:
        if free is not None:
            try:
                await kernel.move_described(None, paid_at_once)
            except _OverPasswordFreeLimit:
                await awaiting_confirmation()
        else:
            await awaiting_confirmation()
    except (DomainError, IntegrityError) as error:
        # A concurrent charge under the same outTradeNo committed first: answer it.
        earlier = await _existing_charge(merchant, out_trade_no, amount, description)
        if earlier is not None:
            return earlier
        if isinstance(error, IntegrityError):
            raise _invalid_code() from None
        raise
    return created[-1]


async def confirm(payer: User, order_id: int, *, payment_password: str, verification_code: str | None) -> Order:
    """The payer confirms a charge above the password-free limit: password, risk check, payment."""
    order = await Order.get_or_none(id=order_id, payer_user_id=payer.id)
    if order is None:
        raise DomainError(ErrorCode.NOT_FOUND, "订单不存在", input_field("orderId"))
    if order.status == orders.PAID:
        return order
    if orders.status_of(order) != orders.AWAITING_CONFIRMATION:
        raise DomainError(ErrorCode.INVALID_STATE, "该扣款已关闭或已过期", input_field("orderId"))
    await verify_payment_password(payer, payment_password)
    wallet = await wallet_of(payer.id)
    risk = Outgoing(user=payer, wallet_id=wallet.id, amount=order.amount, operation="PAY",
                    verification_code=verification_code)
    rule = await screen(risk)
    movement = await order_movement(
        order, await merchant_of(order), payer, wallet, key=None, risk=risk, allow_rule=rule,
        from_statuses=(orders.AWAITING_CONFIRMATION,),
    )
    try:
        await move_for_order(movement, order, (orders.AWAITING_CONFIRMATION,), input_field("orderId"))
    except DomainError as error:
        if error.code is ErrorCode.QR_CODE_USED:  # a concurrent confirmation paid it
            return await Order.get(id=order.id)
        if error.code is ErrorCode.QR_CODE_EXPIRED:
            raise DomainError(ErrorCode.INVALID_STATE, "该扣款已关闭或已过期", input_field("orderId")) from None
        raise
    return order
