"""Staff review of refunds (SUPPORT or ADMIN): approve or reject, once."""

from __future__ import annotations

from models import Refund, Transaction, User

from .. import audit
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import unit_of_work
from ..ledger import sql
from . import notices, returns
from .states import MAX_TEXT, PENDING_REVIEW, REJECTED
from .ways import ReturnWay, return_way


def _clean_note(note: str | None) -> str | None:
    text = (note or "").strip() or None
    if text is not None and len(text) > MAX_TEXT:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"审核备注最多 {MAX_TEXT} 个字符", input_field("note"))
    return text


async def review_refund(
    reviewer: User, refund_id: int | None, *, approve: bool, note: str | None, ip: str | None = None
) -> Refund:
    text = _clean_note(note)
    refund = await Refund.get_or_none(id=refund_id) if refund_id is not None else None
    if refund is None:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该退款申请", input_field("refundId"))
    if refund.status != PENDING_REVIEW:
        raise returns.ReviewTaken()
    if not approve:
        return await _reject(reviewer, refund, text, ip)
    original = await Transaction.get(id=refund.transaction_id)
    way = return_way(original)
    if way is None:  # checked at request time; the row cannot have changed type since
        raise DomainError(ErrorCode.NOT_REFUNDABLE, "该交易无法原路退回", input_field("refundId"))
    if way in (ReturnWay.WALLET, ReturnWay.TRANSFER):
        return await returns.return_within_platform(
            refund, original, way, reviewer_id=reviewer.id, note=text, ip=ip
        )
    return await returns.return_through_channel(refund, original, way, reviewer_id=reviewer.id, note=text, ip=ip)


async def _reject(reviewer: User, refund: Refund, note: str | None, ip: str | None) -> Refund:
    """Rejection frees the reserved amount for another request."""
    async with unit_of_work() as uow:
        await returns.claim_review(uow.conn, refund, status=REJECTED, reviewer_id=reviewer.id, note=note)
        await sql.execute(
            uow.conn,
            "UPDATE transactions SET refunded_amount = refunded_amount - ? WHERE id = ?",
            refund.amount,
            refund.transaction_id,
        )
        await notices.rejected(refund, uow.conn)
        await audit.record(
            "refund.review",
            actor_id=reviewer.id,
            subject_user_id=refund.user_id,
            ip=ip,
            details={"refundNo": refund.refund_no, "decision": "REJECTED", "amount": refund.amount},
            conn=uow.conn,
        )
    return refund
