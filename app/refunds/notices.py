"""What the user is told about a refund (sandbox SMS outbox in sandbox mode)."""

from __future__ import annotations

from datetime import datetime

from models import Refund, Transaction, User

from .. import notifier
from ..business_days import CHINA
from ..db import Conn
from ..money import format_fen

PURPOSE = "REFUND"


def _local(instant: datetime) -> str:
    return instant.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


async def _send(user_id: int, text: str, conn: Conn) -> None:
    user = await User.get(id=user_id, using_db=conn)
    await notifier.send(user.phone, PURPOSE, f"【fenpay】{text}", conn=conn)


async def requested(refund: Refund, conn: Conn) -> None:
    await _send(
        refund.user_id,
        f"您的退款申请 {refund.refund_no}（{format_fen(refund.amount)} 元）已提交，"
        f"将于 {_local(refund.review_deadline)} 前完成审核。",
        conn,
    )


async def completed_at_once(refund: Refund, conn: Conn) -> None:
    await _send(
        refund.user_id,
        f"您的退款申请 {refund.refund_no} 已审核通过，{format_fen(refund.amount)} 元已原路退回您的账户。",
        conn,
    )


async def on_the_way(refund: Refund, arrival: datetime, conn: Conn) -> None:
    await _send(
        refund.user_id,
        f"您的退款申请 {refund.refund_no} 已审核通过，{format_fen(refund.amount)} 元将原路退回，"
        f"预计 {_local(arrival)} 前到账。",
        conn,
    )


async def arrived(refund: Refund, conn: Conn) -> None:
    await _send(
        refund.user_id,
        f"您的退款 {refund.refund_no}（{format_fen(refund.amount)} 元）已原路退回到账。",
        conn,
    )


async def rejected(refund: Refund, conn: Conn) -> None:
    note = f"原因：{refund.review_note}" if refund.review_note else "如有疑问请联系客服"
    await _send(
        refund.user_id,
        f"您的退款申请 {refund.refund_no} 未通过审核，{note}。",
        conn,
    )


async def transfer_returned(refund: Refund, original: Transaction, recipient_id: int, conn: Conn) -> None:
    """The recipient of a refunded transfer learns why money left the wallet."""
    await _send(
        recipient_id,
        f"您收到的转账 {original.transaction_no} 经审核退款，{format_fen(refund.amount)} 元已从您的余额退回付款方。",
        conn,
    )
