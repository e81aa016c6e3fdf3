"""Merchant refunds: the merchant gives money back on a paid order, keyed by its ``outRefundNo``.

No staff review: the merchant is the party paying. One money-kernel movement (REFUND), whose
description is made inside its database transaction:
- the merchant's row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serializes
  writers; payouts take the same lock), then the payer's wallet row (the order payments take
  the wallet before the order, so both lock in that order), so concurrent spends of one
  merchant balance are checked one after the other;
- a repeat of an ``outRefundNo`` answers the first refund (different details:
  IDEMPOTENCY_KEY_REUSED);
- the original payment's ``refunded_amount`` grows by one conditional UPDATE that keeps it
  within the payment (REFUND_EXCEEDS_REMAINING otherwise; user refund requests count too);
- the fee comes back pro rata (``fees.fee_refund_of``) from the platform's fee income, and the
  rest from the merchant account's balance, which must hold it (INSUFFICIENT_FUNDS);
- one journal: merchant -(amount - feeRefund), fee income -feeRefund, payer wallet +amount
  (orders are paid from the balance, so the money goes back to the balance at once);
- the payer's balance event and the merchant's REFUND_SUCCEEDED event are queued.

A payer who closed their account cannot receive it (the ledger refuses to credit a closed
wallet): ACCOUNT_CLOSED, nothing recorded, and the merchant repays the customer
another way, as with WeChat Pay's refund error USER_ACCOUNT_ABNORMAL (用户账户已注销).
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models import Account, Merchant, Transaction, User
from models.merchant_platform import MerchantRefund, Order

from .. import clock
from ..db import Conn
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..ledger import kernel, sql
from ..ledger.accounts import Balance, balance_of, system_account
from ..ledger.journal import Leg
from ..ledger.kernel import Movement, Notice
from ..ledger.vocabulary import TransactionType
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


async def refund_order(
    merchant: Merchant, *, out_trade_no: str, out_refund_no: str, amount: int, reason: str | None
) -> MerchantRefund:
    """Refund ``amount`` fen of the merchant's paid order (see the module doc for the rules).

    ``merchant.account`` must be loaded. Errors: VALIDATION_FAILED, INVALID_AMOUNT, NOT_FOUND,
    NOT_REFUNDABLE (unpaid order), REFUND_EXCEEDS_REMAINING, INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED,
    ACCOUNT_CLOSED (the payer closed their account).
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
    payer = await User.get(id=wallet.user_id)
    fee_income = await system_account("FEE_INCOME")
    done: list[MerchantRefund] = []

    async def describe(uow: UnitOfWork) -> Movement:
        conn = uow.conn
        await _lock(conn, "merchants", merchant.id)
        await _lock(conn, "accounts", wallet.id)
        earlier = await MerchantRefund.get_or_none(merchant_id=merchant.id, out_refund_no=out_refund_no, using_db=conn)
        if earlier is not None:
            raise _Repeat(earlier)
        if not await _reserve(conn, original.id, amount):
            raise DomainError(ErrorCode.REFUND_EXCEEDS_REMAINING, "退款金额超过订单可退金额", input_field("amount"))
        fresh = await Order.get(id=order.id, using_db=conn)
        fee_refund = fee_refund_of(fresh.amount, fresh.fee, fresh.refunded_amount, amount)
        merchant_part = amount - fee_refund
        if (await balance_of(merchant.account, conn)).available < merchant_part:
            raise DomainError(ErrorCode.INSUFFICIENT_FUNDS, "商户结算账户余额不足，不能退款", input_field("amount"))
        legs = [Leg(merchant.account, -merchant_part), Leg(wallet, amount)]
        if fee_refund:
            legs.append(Leg(fee_income, -fee_refund))

        async def record(uow: UnitOfWork, tx: Transaction, _balances: dict[int, Balance]) -> None:
            await Transaction.filter(id=tx.id).using_db(uow.conn).update(related_transaction_id=original.id)
            await Order.filter(id=order.id).using_db(uow.conn).update(
                refunded_amount=fresh.refunded_amount + amount, refunded_fee=fresh.refunded_fee + fee_refund
            )
            fresh.refunded_amount += amount
            fresh.refunded_fee += fee_refund
            refund = await MerchantRefund.create(
                merchant_id=merchant.id, order_id=order.id, out_refund_no=out_refund_no, amount=amount,
                fee_refund=fee_refund, reason=reason, status=SUCCEEDED, transaction_id=tx.id,
                completed_at=clock.now(), using_db=uow.conn,
            )
            done.append(refund)
            await order_events.refund_succeeded(uow, refund, fresh, merchant, tx)

        return Movement(
            type=TransactionType.REFUND, account=wallet, amount=amount, legs=tuple(legs),
            memo=f"merchant refund {out_refund_no}",
            cap_balance=False,  # money going back where it came from
            counterparty_account_id=merchant.account.id,
            counterparty_name=original.counterparty_name, counterparty_ref=original.counterparty_ref,
            initiator_name=original.initiator_name, initiator_ref=original.initiator_ref,
            description=f"商户退款 {out_refund_no}（原交易 {original.transaction_no}）",
            notices=(Notice(wallet, amount, sms_phone=payer.phone),),
            after=record,
        )

    try:
        await kernel.move_described(None, describe)
    except _Repeat as repeat:
        return _answer_repeat(repeat.refund, order, amount, reason)
    except DomainError as refused:
        if refused.code is not ErrorCode.ACCOUNT_CLOSED:
            raise
        raise DomainError(
            ErrorCode.ACCOUNT_CLOSED, "付款人已注销账户，退款无法退回其余额，请与顾客另行协商",
            input_field("outTradeNo"),
        ) from None
    except IntegrityError:  # the same outRefundNo committed concurrently (no row lock on SQLite)
        earlier = await MerchantRefund.get_or_none(merchant_id=merchant.id, out_refund_no=out_refund_no)
        if earlier is None:
            raise
        return _answer_repeat(earlier, order, amount, reason)
    return done[-1]


async def _lock(conn: Conn, table: str, row_id: int) -> None:
    """A row lock for the rest of the transaction (PostgreSQL; SQLite serializes writers)."""
    if conn.capabilities.dialect == "postgres":
        await sql.fetch(conn, f"SELECT id FROM {table} WHERE id = ? FOR UPDATE", row_id)


async def _reserve(conn: Conn, transaction_id: int, amount: int) -> int:
    """Count ``amount`` as refunded on the original payment, only if it stays within it."""
    rows = await sql.fetch(
        conn,
        "UPDATE transactions SET refunded_amount = refunded_amount + ?"
        " WHERE id = ? AND refunded_amount + ? <= amount RETURNING id",
        amount, transaction_id, amount,
    )
    return len(rows)
