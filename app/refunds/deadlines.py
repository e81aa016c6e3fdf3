"""Refunds still pending after their review deadline (3 business days) are marked overdue
and raised to staff as an alert, once per refund."""

from __future__ import annotations

from datetime import datetime

from models import Refund

from ..money import format_fen
from ..risk.alerts import raise_alert
from .states import PENDING_REVIEW

BATCH = 500


async def mark_overdue(now: datetime) -> int:
    late = await Refund.filter(status=PENDING_REVIEW, overdue=False, review_deadline__lt=now).order_by(
        "review_deadline", "id"
    ).limit(BATCH)
    marked = 0
    for refund in late:
        # Alert first (deduplicated per refund), then mark: a crash in between only repeats
        # a no-op alert on the next run instead of losing it.
        await raise_alert(
            "REFUND_OVERDUE",
            "MEDIUM",
            f"退款申请 {refund.refund_no}（{format_fen(refund.amount)} 元）已超过审核时限仍未处理",
            user_id=refund.user_id,
            transaction_id=refund.transaction_id,
            dedupe_key=f"refund-overdue:{refund.id}",
        )
        marked += await Refund.filter(id=refund.id, status=PENDING_REVIEW, overdue=False).update(overdue=True)
    return marked
