"""Paying an order from the payer's wallet balance, with the merchant's fee, through the money kernel.

``order_movement`` describes the movement for ``app.ledger.kernel``: ONE journal of
payer wallet -amount, merchant account +(amount - fee), platform fee income +fee
(fee = half-up of amount x feeRateBps / 10,000), the payer's limits evaluated under the
wallet lock, and, in the same transaction (``after``), the claim of the order: one conditional
UPDATE from an open status to PAID while unexpired, so of two payers (or two tills, or a payer
and the expiry job) exactly one wins and the loser's whole movement rolls back. The order's
status event and the merchant's ORDER_PAID event are queued with it. ``move_for_order`` runs
it: a loser whose movement fails before the claim (its balance or a limit, checked first under
the wallet lock) answers why the order is no longer payable, not that check's error.

``pay_scanned_order`` is ``payQrCode`` for an order's QR payload: the payment password, the
idempotency key and the risk check exactly as for a merchant's payment QR code.
"""

from __future__ import annotations

from models import Account, Merchant, Transaction, User
from models.merchant_platform import Order

from .. import clock
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel
from ..ledger.accounts import Balance, system_account, wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..ledger.vocabulary import TransactionType
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


async def _claim_order(
    uow: UnitOfWork, order: Order, merchant: Merchant, tx: Transaction, fee: int, from_statuses: tuple[str, ...]
) -> None:
    """Mark the order PAID by ``tx`` (QR_CODE_USED/QR_CODE_EXPIRED when it is no longer payable)."""
    now = clock.now()
    won = await (
        Order.filter(id=order.id, status__in=from_statuses, expires_at__gt=now)
        .using_db(uow.conn)
        .update(status=orders.PAID, paid_at=now, fee=fee, fee_rate_bps=merchant.fee_rate_bps, transaction_id=tx.id)
    )
    if not won:
        raise unpayable(await Order.get(id=order.id, using_db=uow.conn))
    order.status, order.paid_at, order.fee, order.fee_rate_bps, order.transaction_id = (
        orders.PAID, now, fee, merchant.fee_rate_bps, tx.id
    )
    await order_events.order_paid(uow, order, merchant, tx)


async def order_movement(
    order: Order, merchant: Merchant, payer: User, wallet: Account, *,
    key: Key | None, risk: Outgoing, allow_rule: str, from_statuses: tuple[str, ...],
) -> Movement:
    """The kernel movement that pays ``order`` (``merchant.account`` loaded)."""
    fee = fee_of(order.amount, merchant.fee_rate_bps)
    legs = [Leg(wallet, -order.amount), Leg(merchant.account, order.amount - fee)]
    if fee:
        legs.append(Leg(await system_account("FEE_INCOME"), fee))
    counterparty, initiator = merchant_party(merchant), payer_party(payer, wallet)

    async def claim(uow: UnitOfWork, tx: Transaction, _balances: dict[int, Balance]) -> None:
        await _claim_order(uow, order, merchant, tx, fee, from_statuses)

    return Movement(
        type=TransactionType.PAYMENT, account=wallet, amount=order.amount, key=key, risk=risk, allow_rule=allow_rule,
        legs=tuple(legs), memo=f"order {order.id}",
        counterparty_account_id=merchant.account.id,
        counterparty_name=counterparty.name, counterparty_ref=counterparty.ref,
        initiator_name=initiator.name, initiator_ref=initiator.ref,
        description=order.description or f"订单 {order.out_trade_no}",
        notices=(Notice(wallet, -order.amount, sms_phone=payer.phone),),
        after=claim,
    )


async def move_for_order(
    movement: Movement, order: Order, from_statuses: tuple[str, ...], field: tuple[str, ...] = input_field("payload")
) -> MoneyResult:
    """``kernel.move(movement)`` (a movement of ``order_movement``); when it fails and the order,
    read again, has left ``from_statuses`` meanwhile (a concurrent payment or the expiry won),
    raises ``unpayable`` (QR_CODE_USED / QR_CODE_EXPIRED) instead of the movement's own error."""
    try:
        return await kernel.move(movement)
    except DomainError:
        current = await Order.get(id=order.id)
        if orders.status_of(current) not in from_statuses:
            raise unpayable(current, field) from None
        raise


async def merchant_of(order: Order) -> Merchant:
    merchant = await Merchant.filter(id=order.merchant_id).select_related("account").first()
    assert merchant is not None  # orders reference their merchant (RESTRICT)
    return merchant


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
    key = Key(payer.id, idempotency_key, OPERATION, digest)
    if (first := await kernel.earlier(key)) is not None:
        return first
    if orders.status_of(order) != orders.CREATED:
        raise unpayable(order)
    wallet = await wallet_of(payer.id)
    risk = Outgoing(user=payer, wallet_id=wallet.id, amount=order.amount, operation="QR_PAY",
                    verification_code=verification_code)
    rule = await screen(risk)
    movement = await order_movement(
        order, await merchant_of(order), payer, wallet, key=key, risk=risk, allow_rule=rule,
        from_statuses=(orders.CREATED,),
    )
    return await move_for_order(movement, order, (orders.CREATED,))
