"""Asking for a refund (seed 5.2.1-5.2.3).

A refund may be asked for the viewer's own succeeded payment or outgoing transfer
from the last three months, for at most what remains: the amount minus every
refund that is pending, approved or completed. The reservation is one conditional
UPDATE of ``transactions.refunded_amount``, so concurrent requests cannot together
ask for more than the transaction was. That UPDATE also holds the transaction row, so
the count of its open requests (pending review or approved), read after it, is exact:
at most ``max_open_refund_requests`` (setting) await an answer at once.
"""

from __future__ import annotations

from datetime import datetime

from models import Refund, Transaction, User

from .. import audit, clock, runtime
from ..business_days import business_days_later
from ..db import Conn
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import unit_of_work
from ..history.window import window_start
from ..ledger import sql
from ..ledger.accounts import wallet_of
from ..ledger.numbers import new_number
from ..ledger.vocabulary import TransactionStatus, TransactionType
from ..money import format_fen
from ..movement_bounds import require_within_movement_maximum
from . import notices
from .states import APPROVED, MAX_TEXT, PENDING_REVIEW, REASONS, REVIEW_BUSINESS_DAYS
from .ways import return_way


def _clean_description(description: str | None) -> str | None:
    text = (description or "").strip() or None
    if text is not None and len(text) > MAX_TEXT:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"退款说明最多 {MAX_TEXT} 个字符", input_field("description"))
    return text


# What may be refunded at all: a payment or an outgoing transfer (seed 5.2.1).
REFUNDABLE_TYPES = frozenset({TransactionType.PAYMENT, TransactionType.TRANSFER})


def refundable_amount(tx: Transaction, account_id: int) -> int:
    """Fen the holder of ``account_id`` may still ask back from ``tx``: what remains of a
    succeeded payment or transfer they paid (amount minus refunds pending, approved or
    completed), zero for any other transaction or account. Reads nothing."""
    if tx.type not in REFUNDABLE_TYPES or tx.status != TransactionStatus.SUCCEEDED:
        return 0
    if account_id != tx.account_id:
        return 0
    return max(tx.amount - tx.refunded_amount, 0)


def _check_refundable(tx: Transaction, wallet_id: int, now: datetime) -> None:
    def refuse(message: str) -> None:
        raise DomainError(ErrorCode.NOT_REFUNDABLE, message, input_field("transactionNo"))

    if tx.account_id != wallet_id:
        refuse("只能为自己付出的交易申请退款")
    if tx.type not in REFUNDABLE_TYPES:
        refuse("只有付款和转账可以申请退款")
    if tx.status != TransactionStatus.SUCCEEDED:
        refuse("只有成功的交易可以申请退款")
    if tx.created_at < window_start(now):
        refuse("只能为最近三个月内的交易申请退款")
    if return_way(tx) is None:
        refuse("该交易无法原路退回，请联系客服")


async def _reserve(conn: Conn, transaction_id: int, amount: int) -> bool:
    """Count ``amount`` against the transaction unless that would exceed it."""
    changed = await sql.execute(
        conn,
        "UPDATE transactions SET refunded_amount = refunded_amount + ?"
        " WHERE id = ? AND refunded_amount + ? <= amount",
        amount,
        transaction_id,
        amount,
    )
    return changed == 1


async def _refuse_when_too_many_open(conn: Conn, transaction_id: int) -> None:
    """Raise TOO_MANY_REFUND_REQUESTS when the transaction already has the maximum awaiting an answer.

    Call it after ``_reserve``: the reservation holds the transaction row, so concurrent
    requests for the same transaction count one after another.
    """
    maximum = runtime.settings().max_open_refund_requests
    rows = await sql.fetch(
        conn,
        "SELECT COUNT(*) AS open_requests FROM refunds WHERE transaction_id = ? AND status IN (?, ?)",
        transaction_id,
        PENDING_REVIEW,
        APPROVED,
    )
    if int(rows[0]["open_requests"]) >= maximum:
        raise DomainError(
            ErrorCode.TOO_MANY_REFUND_REQUESTS,
            f"该交易已有 {maximum} 笔退款申请在处理中，请等待处理结果后再申请",
            input_field("transactionNo"),
        )


async def request_refund(
    user: User,
    *,
    transaction_no: str,
    amount: int | None,
    reason: str,
    description: str | None,
    ip: str | None = None,
) -> Refund:
    number = transaction_no.strip()
    if not number:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入交易单号", input_field("transactionNo"))
    if reason not in REASONS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请选择退款原因", input_field("reason"))
    text = _clean_description(description)
    if amount is not None and amount <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "退款金额必须大于 0", input_field("amount"))
    if amount is not None:
        require_within_movement_maximum(amount, input_field("amount"))

    wallet = await wallet_of(user.id)
    tx = await Transaction.get_or_none(transaction_no=number)
    # Someone else's transaction is indistinguishable from one that does not exist.
    if tx is None or wallet.id not in (tx.account_id, tx.counterparty_account_id):
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该交易", input_field("transactionNo"))
    now = clock.now()
    _check_refundable(tx, wallet.id, now)

    async with unit_of_work() as uow:
        fresh = await Transaction.get(id=tx.id, using_db=uow.conn)
        remaining = fresh.amount - fresh.refunded_amount
        wanted = remaining if amount is None else amount
        if wanted <= 0 or not await _reserve(uow.conn, tx.id, wanted):
            raise DomainError(
                ErrorCode.REFUND_EXCEEDS_REMAINING,
                f"退款金额超过可退金额（当前可退 {format_fen(max(remaining, 0))} 元，已计入审核中的退款）",
                input_field("amount"),
            )
        await _refuse_when_too_many_open(uow.conn, tx.id)
        refund = await Refund.create(
            refund_no=new_number("R"),
            transaction_id=tx.id,
            user_id=user.id,
            amount=wanted,
            reason=reason,
            description=text,
            status=PENDING_REVIEW,
            review_deadline=business_days_later(now, REVIEW_BUSINESS_DAYS),
            created_at=now,
            using_db=uow.conn,
        )
        await audit.record(
            "refund.request",
            actor_id=user.id,
            ip=ip,
            details={"refundNo": refund.refund_no, "transactionNo": tx.transaction_no, "amount": wanted},
            conn=uow.conn,
        )
        await notices.requested(refund, uow.conn)
    return refund
