"""Paying an order from the payer's wallet balance, with the merchant's fee, in one journal.

The movement goes through the money kernel (``order_payment_movement`` describes it inside
the kernel's transaction; ``pay_order`` adds the key and the limits, evaluated under the
payer's wallet lock; ``post_order_payment`` writes it inside a caller's unit of work):
1. claim the order: one conditional UPDATE from an open status to PAID while unexpired, so
   of two payers (or two tills, or a payer and the expiry job) exactly one wins;
2. write the PAYMENT transaction and ONE journal: payer wallet -amount, merchant settlement
   +(amount - fee), platform fee income +fee (fee = half-up of amount x feeRateBps / 10,000);
   the wallet leg is the conditional running-balance UPDATE (INSUFFICIENT_FUNDS rolls all back);
3. queue the payer's balance event, the order's status event and the merchant's ORDER_PAID event.

``pay_scanned_order`` is ``payQrCode`` for an order's QR payload: the payment password,
the idempotency key and the risk check exactly as for a merchant's payment QR code.
"""

from __future__ import annotations

from dataclasses import replace

from models import Account, Merchant, Transaction, User
from models.merchant_platform import Order

from .. import clock
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, journal, kernel
from ..ledger.accounts import system_account, wallet_of
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..payments.parties import merchant_party, payer_party
from ..risk.check import Outgoing, screen
from . import order_events, orders
from .fees import fee_of

OPERATION = "payQrCode"


def unpayable(order: Order, field: tuple[str, ...] = input_field("payload")) -> DomainError:
    """Why ``order`` (as last read) cannot be paid now."""
    if order.status == orders.PAID:
        return DomainError(ErrorCode.QR_CODE_USED, "该订单已支付", field)
    return DomainError(ErrorCode.QR_CODE_EXPIRED, "订单已关闭或已过期，请让商户重新下单", field)


async def order_payment_movement(
    uow: UnitOfWork, order: Order, merchant: Merchant, payer: User, wallet: Account, *, from_statuses: tuple[str, ...]
) -> Movement:
    """Claim ``order`` for ``payer`` in the caller's transaction and describe its payment for the
    money kernel (see the module doc): the journal, the balance event, and the order's own
    writes and events (``after``, once the transaction row exists).

    ``merchant.account`` must be loaded. Raises QR_CODE_USED/QR_CODE_EXPIRED when the order
    is no longer payable; the kernel then raises INSUFFICIENT_FUNDS when the wallet lacks the money.
    """
    conn = uow.conn
    now = clock.now()
    fee = fee_of(order.amount, merchant.fee_rate_bps)
    won = await (
        Order.filter(id=order.id, status__in=from_statuses, expires_at__gt=now)
        .using_db(conn)
        .update(status=orders.PAID, paid_at=now, fee=fee, fee_rate_bps=merchant.fee_rate_bps)
    )
    if not won:
        raise unpayable(await Order.get(id=order.id, using_db=conn))
    legs = [journal.Leg(wallet, -order.amount), journal.Leg(merchant.account, order.amount - fee)]
    if fee:
        legs.append(journal.Leg(await system_account("FEE_INCOME"), fee))

    async def record_paid(uow: UnitOfWork, tx: Transaction, _balances: object) -> None:
        await Order.filter(id=order.id).using_db(uow.conn).update(transaction_id=tx.id)
        order.status, order.paid_at, order.fee, order.fee_rate_bps, order.transaction_id = (
            orders.PAID, now, fee, merchant.fee_rate_bps, tx.id
        )
        await order_events.order_paid(uow, order, merchant, tx)

    counterparty, initiator = merchant_party(merchant), payer_party(payer, wallet)
    return Movement(
        type="PAYMENT", account=wallet, amount=order.amount, legs=tuple(legs), memo=f"order {order.id}",
        counterparty_account_id=merchant.account.id,
        counterparty_name=counterparty.name, counterparty_ref=counterparty.ref,
        initiator_name=initiator.name, initiator_ref=initiator.ref,
        description=order.description or f"订单 {order.out_trade_no}",
        notices=(Notice(wallet, -order.amount, sms_phone=payer.phone),),
        after=record_paid,
    )


async def post_order_payment(
    uow: UnitOfWork, order: Order, merchant: Merchant, payer: User, wallet: Account, *, from_statuses: tuple[str, ...]
) -> Transaction:
    """The payment of ``order`` inside the caller's transaction, without limits (a password-free
    payment-code charge, screened by the caller); see ``order_payment_movement``."""
    movement = await order_payment_movement(uow, order, merchant, payer, wallet, from_statuses=from_statuses)
    tx, _ = await kernel.write(uow, movement)
    return tx


async def pay_order(
    payer: User, order: Order, *, key: Key | None, risk: Outgoing, from_statuses: tuple[str, ...]
) -> MoneyResult:
    """Pay ``order`` from the payer's wallet through the kernel: the limits under the wallet lock,
    the key (if any) stored with the payment. ``risk`` is screened here (status, step-up)."""
    rule = await screen(risk)
    merchant = await Merchant.filter(id=order.merchant_id).select_related("account").first()
    assert merchant is not None
    wallet = await wallet_of(payer.id)

    async def describe(uow: UnitOfWork) -> Movement:
        movement = await order_payment_movement(uow, order, merchant, payer, wallet, from_statuses=from_statuses)
        return replace(movement, key=key, risk=risk, allow_rule=rule)

    return await kernel.move_described(key, describe)


async def order_for_payload(payload: str) -> Order:
    text = (payload or "").strip()
    token = text[len(orders.PAYLOAD_PREFIX):]
    order = await Order.get_or_none(token=token) if token and len(token) <= 64 else None
    if order is None or order.source != orders.SOURCE_QR:
        raise DomainError(ErrorCode.NOT_FOUND, "无法识别的付款码", input_field("payload"))
    return order


async def pay_scanned_order(
    payer: User, *, payload: str, amount: int | None, payment_password: str, idempotency_key: str,
    verification_code: str | None, digest: str,
) -> MoneyResult:
    """``payQrCode`` for an order payload (``digest``: the payQrCode request hash)."""
    idempotency.validate_key(idempotency_key)
    order = await order_for_payload(payload)
    if amount is not None and amount != order.amount:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "付款金额与订单金额不一致", input_field("amount"))
    await verify_payment_password(payer, payment_password)
    if (first := await kernel.earlier(Key(payer.id, idempotency_key, OPERATION, digest))) is not None:
        return first
    if orders.status_of(order) != orders.CREATED:
        raise unpayable(order)
    wallet = await wallet_of(payer.id)
    risk = Outgoing(user=payer, wallet_id=wallet.id, amount=order.amount, operation="QR_PAY",
                    verification_code=verification_code)
    return await pay_order(payer, order, key=Key(payer.id, idempotency_key, OPERATION, digest), risk=risk,
                           from_statuses=(orders.CREATED,))
