"""Paying an order from the payer's wallet balance, with the merchant's fee, in one journal.

The movement (``post_order_payment``) runs inside the caller's unit of work:
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

from models import Account, IdempotencyRecord, Merchant, Transaction, User
from models.merchant_platform import Order

from .. import clock
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork, unit_of_work
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, journal
from ..ledger.accounts import system_account, wallet_of
from ..ledger.events import emit_balance_changed
from ..ledger.numbers import new_number
from ..ledger.kernel import MoneyResult, replay, success_result
from ..payments.parties import merchant_party, payer_party
from ..risk.check import Outgoing, check_outgoing
from . import order_events, orders
from .fees import fee_of

OPERATION = "payQrCode"


def unpayable(order: Order, field: tuple[str, ...] = input_field("payload")) -> DomainError:
    """Why ``order`` (as last read) cannot be paid now."""
    if order.status == orders.PAID:
        return DomainError(ErrorCode.QR_CODE_USED, "该订单已支付", field)
    return DomainError(ErrorCode.QR_CODE_EXPIRED, "订单已关闭或已过期，请让商户重新下单", field)


async def post_order_payment(
    uow: UnitOfWork, order: Order, merchant: Merchant, payer: User, wallet: Account, *, from_statuses: tuple[str, ...]
) -> Transaction:
    """The payment of ``order`` by ``payer`` in the caller's transaction (see the module doc).

    ``merchant.account`` must be loaded. Raises QR_CODE_USED/QR_CODE_EXPIRED when the order
    is no longer payable, INSUFFICIENT_FUNDS when the wallet lacks the money.
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
    tx = await Transaction.create(
        transaction_no=new_number("T"),
        type="PAYMENT",
        status="SUCCEEDED",
        channel="WALLET_BALANCE",
        amount=order.amount,
        account_id=wallet.id,
        counterparty_account_id=merchant.account.id,
        counterparty_name=merchant_party(merchant).name,
        counterparty_ref=merchant_party(merchant).ref,
        initiator_name=payer_party(payer, wallet).name,
        initiator_ref=payer_party(payer, wallet).ref,
        description=order.description or f"订单 {order.out_trade_no}",
        completed_at=now,
        using_db=conn,
    )
    legs = [journal.Leg(wallet, -order.amount), journal.Leg(merchant.account, order.amount - fee)]
    if fee:
        legs.append(journal.Leg(await system_account("FEE_INCOME"), fee))
    balances = await journal.post(conn, legs, transaction_id=tx.id, memo=f"order {order.id}")
    await Order.filter(id=order.id).using_db(conn).update(transaction_id=tx.id)
    order.status, order.paid_at, order.fee, order.fee_rate_bps, order.transaction_id = (
        orders.PAID, now, fee, merchant.fee_rate_bps, tx.id
    )
    await emit_balance_changed(
        uow, wallet, balances[wallet.id], -order.amount, transaction_id=tx.id, sms_phone=payer.phone
    )
    await order_events.order_paid(uow, order, merchant, tx)
    return tx


class _KeyAlreadyUsed(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key already used")
        self.record = record


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
    earlier = await idempotency.find(payer.id, idempotency_key, OPERATION, digest)
    if earlier is not None:
        return await replay(earlier, payer.id)
    if orders.status_of(order) != orders.CREATED:
        raise unpayable(order)
    wallet = await wallet_of(payer.id)
    await check_outgoing(
        Outgoing(user=payer, wallet_id=wallet.id, amount=order.amount, operation="QR_PAY",
                 verification_code=verification_code)
    )
    merchant = await Merchant.filter(id=order.merchant_id).select_related("account").first()
    assert merchant is not None
    try:
        async with unit_of_work() as uow:
            tx = await post_order_payment(uow, order, merchant, payer, wallet, from_statuses=(orders.CREATED,))
            earlier = await idempotency.record_once(
                uow.conn, payer.id, idempotency_key, OPERATION, digest, transaction_id=tx.id,
                result=success_result(tx),
            )
            if earlier is not None:
                raise _KeyAlreadyUsed(earlier)
    except _KeyAlreadyUsed as used:
        return await replay(used.record, payer.id)
    except DomainError:
        earlier = await idempotency.find(payer.id, idempotency_key, OPERATION, digest)
        if earlier is not None:
            return await replay(earlier, payer.id)
        raise
    return MoneyResult(tx, await wallet_of(payer.id))
