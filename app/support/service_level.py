"""Service level for complaints: one without any staff reply 24 hours after submission
raises a risk alert (once per ticket) so staff see it among the alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.support import Ticket

from ..risk.alerts import raise_alert

COMPLAINT_REPLY_WITHIN = timedelta(hours=24)
ALERT_TYPE = "COMPLAINT_UNANSWERED"
BATCH = 200


def dedupe_key(ticket_id: int) -> str:
    return f"{ALERT_TYPE}:{ticket_id}"


async def alert_unanswered_complaints(now: datetime) -> int:
    """Raise an alert for each overdue, still-open complaint; returns how many were raised."""
    overdue = (
        await Ticket.filter(
            kind="COMPLAINT",
            status__in=("OPEN", "IN_PROGRESS"),
            first_staff_reply_at=None,
            sla_alerted_at=None,
            created_at__lte=now - COMPLAINT_REPLY_WITHIN,
        )
        .order_by("id")
        .limit(BATCH)
    )
    raised = 0
    for ticket in overdue:
        alert = await raise_alert(
            ALERT_TYPE,
            "MEDIUM",
            f"投诉工单 {ticket.ticket_no}（{ticket.subject}）提交超过 24 小时仍无客服答复",
            user_id=ticket.user_id,
            transaction_id=ticket.transaction_id,
            dedupe_key=dedupe_key(ticket.id),
        )
        # Marked after the alert commits; a crash in between is absorbed by the dedupe key.
        await Ticket.filter(id=ticket.id).update(sla_alerted_at=now)
        if alert is not None:
            raised += 1
    return raised
