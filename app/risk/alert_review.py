"""Staff work on alerts: listing, a readable scope, acknowledging and closing with a note."""

from __future__ import annotations

from typing import Any

from models import Merchant, User
from models.risk import RiskAlert

from .. import audit, clock, db
from ..errors import DomainError, ErrorCode
from ..masking import mask_phone
from .alerts import PLATFORM

STATUSES = ("OPEN", "ACKNOWLEDGED", "CLOSED")
NOTE_MAX = 500
# Where each action may start from; a closed alert is final.
_ALLOWED_FROM = {"ACKNOWLEDGED": ("OPEN",), "CLOSED": ("OPEN", "ACKNOWLEDGED")}


def alerts_queryset(status: str | None = None) -> Any:
    """Alerts for the staff list (paginated newest first by the caller), optionally by status."""
    query = RiskAlert.all()
    if status is not None:
        query = query.filter(status=status)
    return query


async def describe_scope(alert: RiskAlert) -> str:
    """Who or what the alert is about, for people: 用户 138****8000, 商户 名称（编号）, 平台."""
    kind, _, raw_id = alert.scope.partition(":")
    if alert.scope == PLATFORM:
        return "平台"
    if kind == "USER" and raw_id.isdigit():
        user = await User.get_or_none(id=int(raw_id))
        return f"用户 {mask_phone(user.phone)}" if user else f"用户 #{raw_id}"
    if kind == "MERCHANT" and raw_id.isdigit():
        merchant = await Merchant.get_or_none(id=int(raw_id))
        return f"商户 {merchant.name}（{merchant.merchant_no}）" if merchant else f"商户 #{raw_id}"
    return alert.scope


async def acknowledge(
    alert_id: int | None, staff: User, *, close: bool, note: str | None, ip: str | None
) -> RiskAlert:
    """OPEN -> ACKNOWLEDGED, or OPEN/ACKNOWLEDGED -> CLOSED (a note is required to close)."""
    alert = await RiskAlert.get_or_none(id=alert_id) if alert_id else None
    if alert is None:
        raise DomainError(ErrorCode.NOT_FOUND, "预警不存在", ("input", "alertId"))
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"备注不能超过 {NOTE_MAX} 个字符", ("input", "note"))
    if close and note is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "关闭预警时请填写处理备注", ("input", "note"))
    target = "CLOSED" if close else "ACKNOWLEDGED"
    now = clock.now()
    changes: dict[str, Any] = {"status": target, "handled_by": staff.id, "handled_at": now}
    if note is not None:
        changes["note"] = note
    async with db.atomic() as conn:
        # Conditional update: two officers acting at once cannot both move the alert.
        moved = await RiskAlert.filter(id=alert.id, status__in=_ALLOWED_FROM[target]).using_db(conn).update(
            **changes
        )
        if moved != 1:
            current = await RiskAlert.get(id=alert.id, using_db=conn)
            message = "预警已关闭，不能再处理" if current.status == "CLOSED" else "预警已确认，只能关闭"
            raise DomainError(ErrorCode.INVALID_STATE, message, ("input", "alertId"))
        await audit.record(
            f"RISK_ALERT_{target}",
            actor_id=staff.id,
            subject_user_id=alert.user_id,
            ip=ip,
            details={"alertId": alert.id, "type": alert.type, "from": alert.status, "note": note},
            conn=conn,
        )
    return await RiskAlert.get(id=alert.id)
