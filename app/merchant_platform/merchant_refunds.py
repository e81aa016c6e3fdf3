"""Merchant refunds: the merchant gives money back on a paid order, keyed by its ``outRefundNo``.

No staff review: the merchant is the party paying. In ONE database transaction:
- the merchant's row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serializes
  writers), so concurrent refunds of one merchant are checked one after the other;
- a repeat of an ``outRefundNo`` answers the first refund (different details:
  IDEMPOTENCY_KEY_REUSED);
- the original payment's ``refunded_amount`` grows by one conditional UPDATE that keeps it
  within the payment (REFUND_EXCEEDS_REMAINING otherwise; user refund requests count too);
- the fee comes back pro rata (``fees.fee_refund_of``) from the platform's fee income, and the
  rest from the merchant's settlement balance, which must hold it (INSUFFICIENT_FUNDS);
- one journal: merchant -(amount - feeRefund), fee income -feeRefund, payer wallet +amount
  (orders are paid from the balance, so the money goes back to the balance at once);
- the payer's balance event and the merchant's REFUND_SUCCEEDED event are queued.
"""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from models import Account, Merchant, Transaction, User
from models.merchant_platform import MerchantRefund, Order

from .. import clock
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import unit_of_work
from ..ledger import journal, sql
from ..ledger.accounts import balance_of, system_account
from ..ledger.events import emit_balance_changed
from ..ledger.numbers import new_number
from ..payments.validation import optional_text, positive_amount
from . import order_events, orders
from .fees import fee_refund_of

SUCCEEDED = "SUCCEEDED"


class _Repeat(Exception):
    """Raised inside the transaction when the outRefundNo was used meanwhile (rolls back)."""

    def __init__(self, refund: MerchantRefund) -> None:
        super().__init__("outRefundNo already used")
        self.refund = refund


def _answer_repeat(refund: MerchantRefund, order: Order | None, amount: int, reason: str | None) -> MerchantRefund:
    if order is None or refund.order_id != order.id or refund.amount != amount or refund.reason != reason:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED, "该退款单号已用于另一笔不同的退款", input_field("outRefundNo")
        )
    return refund


async def _lock_merchant(conn: Any, merchant_id: int) -> None:
    if conn.capabilities.dialect == "postgres":
        await sql.fetch(conn, "SELECT id FROM merchants WHERE id = ? FOR UPDATE", merchant_id)


async def refund_order(
    merchant: Merchant, *, out_trade_no: str, out_refund_no: str, amount: int, reason: str | None
) -> MerchantRefund:
    """Refund ``amount`` fen of the merchant's paid order (see the module doc for the rules).

    ``merchant.account`` must be loaded. Errors: VALIDATION_FAILED, INVALID_AMOUNT, NOT_FOUND,
    NOT_REFUNDABLE (unpaid order), REFUND_EXCEEDS_REMAINING, INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED.
    """
    out_refund_no = orders.checked_out_no(out_refund_no, "outRefundNo")
    positive_amount(amount)
    reason = optional_text(reason, 100, "reason")
    order = await orders.find_order(merchant, out_trade_no)
    earlier = await MerchantRefund.get_or_none(merchant_id=merchant.id, out_refund_no=out_refund_no)
    if earlier is not None:
        return _answer_repeat(earlier, order, amount, reason)
    if order is None:
        raise DomainError(ErrorCode.NOT_FOUND, "订单不存在", input_field("outTradeNo"))
    if order.status != orders.PAID or order.transaction_id is None:
        raise DomainError(ErrorCode.NOT_REFUNDABLE, "订单未支付，不能退款", input_field("outTradeNo"))
    original = await Transaction.get(id=order.transaction_id)
    wallet = await Account.get(id=original.account_id)
    fee_income = await system_account("FEE_INCOME")
    try:
        async with unit_of_work() as uow:
            conn = uow.conn
            await _lock_merchant(conn, merchant.id)
            earlier = await MerchantRefund.get_or_none(
                merchant_id=merchant.id, out_refund_no=out_refund_no, using_db=conn
            )
            if earlier is not None:
                raise _Repeat(earlier)
            reserved = await _reserve(conn, original.id, amount)
            if not reserved:
                raise DomainError(
                    ErrorCode.REFUND_EXCEEDS_REMAINING, "退款金额超过订单可退金额", input_field("amount")
                )
            fresh = await Order.get(id=order.id, using_db=conn)
            fee_refund = fee_refund_of(fresh.amount, fresh.fee, fresh.refunded_amount, amount)
            merchant_part = amount - fee_refund
            available = (await balance_of(merchant.account, conn)).available
            if available < merchant_part:
                raise DomainError(ErrorCode.INSUFFICIENT_FUNDS, "商户结算账户余额不足，不能退款", input_field("amount"))
            now = clock.now()
            tx = await Transaction.create(
                transaction_no=new_number("T"),
                type="REFUND",
                status="SUCCEEDED",
                channel="WALLET_BALANCE",
                amount=amount,
                account_id=wallet.id,
                counterparty_account_id=merchant.account.id,
                counterparty_name=original.counterparty_name,
                counterparty_ref=original.counterparty_ref,
                initiator_name=original.initiator_name,
                initiator_ref=original.initiator_ref,
                description=f"商户退款 {out_refund_no}（原交易 {original.transaction_no}）",
                related_transaction_id=original.id,
                completed_at=now,
                using_db=conn,
            )
            legs = [journal.Leg(merchant.account, -merchant_part), journal.Leg(wallet, amount)]
            if fee_refund:
                legs.append(journal.Leg(fee_income, -fee_refund))
            balances = await journal.post(conn, legs, transaction_id=tx.id, memo=f"merchant refund {out_refund_no}")
            await Order.filter(id=order.id).using_db(conn).update(
                refunded_amount=fresh.refunded_amount + amount, refunded_fee=fresh.refunded_fee + fee_refund
            )
            fresh.refunded_amount += amount
            fresh.refunded_fee += fee_refund
            refund = await MerchantRefund.create(
                merchant_id=merchant.id,
                order_id=order.id,
                out_refund_no=out_refund_no,
                amount=amount,
                fee_refund=fee_refund,
                reason=reason,
                status=SUCCEEDED,
                transaction_id=tx.id,
                completed_at=now,
                using_db=conn,
            )
            payer = await User.get(id=wallet.user_id, using_db=conn)
            await emit_balance_changed(uow, wallet, balances[wallet.id], amount, transaction_id=tx.id,
                                       sms_phone=payer.phone)
            await order_events.refund_succeeded(uow, refund, fresh, merchant, tx)
    except _Repeat as repeat:
        return _answer_repeat(repeat.refund, order, amount, reason)
    except IntegrityError:  # the same outRefundNo committed concurrently (no row lock on SQLite)
        earlier = await MerchantRefund.get_or_none(merchant_id=merchant.id, out_refund_no=out_refund_no)
        if earlier is None:
            raise
        return _answer_repeat(earlier, order, amount, reason)
    return refund


async def _reserve(conn: Any, transaction_id: int, amount: int) -> int:
    """Count ``amount`` as refunded on the original payment, only if it stays within it."""
    rows = await sql.fetch(
        conn,
        "UPDATE transactions SET refunded_amount = refunded_amount + ?"
        " WHERE id = ? AND refunded_amount + ? <= amount RETURNING id",
        amount, transaction_id, amount,
    )
    return len(rows)
