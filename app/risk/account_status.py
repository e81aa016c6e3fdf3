"""Account status set by risk staff (seed 3.1.2): NORMAL, FROZEN or ABNORMAL, with a reason.

FROZEN and ABNORMAL users still sign in and read; ``check_outgoing`` refuses every
outgoing movement (ACCOUNT_FROZEN) while money may still come in.
"""

from __future__ import annotations

from models import User

from .. import audit, clock, db, notifier, runtime
from ..errors import DomainError, ErrorCode

STATUSES = ("NORMAL", "FROZEN", "ABNORMAL")
REASON_MIN, REASON_MAX = 2, 200

_NOTICE = {
    "FROZEN": "【fenpay】您的账户已被冻结：可正常登录和查询，暂不能付款、转账或提现。如有疑问请致电客服 {phone}。",
    "ABNORMAL": "【fenpay】您的账户存在异常，已暂停资金转出：可正常登录和查询。如有疑问请致电客服 {phone}。",
    "NORMAL": "【fenpay】您的账户已恢复正常，可正常使用全部功能。",
}


async def set_account_status(
    staff: User, user_id: int | None, status: str, reason: str, *, ip: str | None
) -> User:
    if status not in STATUSES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "账户状态无效", ("input", "status"))
    reason = (reason or "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, f"请填写原因（{REASON_MIN}-{REASON_MAX} 个字符）", ("input", "reason")
        )
    user = await User.get_or_none(id=user_id) if user_id else None
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, "用户不存在", ("input", "userId"))
    if user.id == staff.id:
        # Otherwise a frozen officer could lift their own freeze.
        raise DomainError(ErrorCode.VALIDATION_FAILED, "不能修改自己的账户状态", ("input", "userId"))
    if user.status == status:
        raise DomainError(ErrorCode.INVALID_STATE, "账户已是该状态", ("input", "status"))
    previous = user.status
    async with db.atomic() as conn:
        await User.filter(id=user.id).using_db(conn).update(
            status=status, status_reason=reason, updated_at=clock.now()
        )
        await audit.record(
            "ACCOUNT_STATUS_SET",
            actor_id=staff.id,
            subject_user_id=user.id,
            ip=ip,
            details={"from": previous, "to": status, "reason": reason},
            conn=conn,
        )
        text = _NOTICE[status].format(phone=runtime.settings().contact_phone)
        await notifier.send(user.phone, "ACCOUNT_STATUS", text, conn=conn)
    return await User.get(id=user.id)
