"""The one verifier of payment passwords, used by every money movement.

5 wrong tries lock payments for 24 hours (PAYMENT_PASSWORD_LOCKED, also for the
right password while locked) and raise a risk alert.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise import connections

from models import User

from .. import clock
from ..errors import DomainError, ErrorCode
from ..ledger import sql
from .passwords import payment_password_matches

MAX_FAILURES = 5
LOCK_DURATION = timedelta(hours=24)
FIELD = ("input", "paymentPassword")


async def verify_payment_password(user: User, pin: str | None, field: tuple[str, ...] = FIELD) -> None:
    now = clock.now()
    fresh = await User.get(id=user.id)
    if fresh.payment_password_hash is None:
        raise DomainError(ErrorCode.PAYMENT_PASSWORD_NOT_SET, "请先设置支付密码", field)
    if fresh.payment_locked_until is not None and fresh.payment_locked_until > now:
        raise DomainError(ErrorCode.PAYMENT_PASSWORD_LOCKED, "支付密码错误次数过多，已锁定 24 小时", field)
    if pin is not None and payment_password_matches(fresh.id, fresh.payment_password_hash, pin):
        if fresh.payment_password_failures:
            await User.filter(id=fresh.id).update(payment_password_failures=0)
        return
    rows = await sql.fetch(
        connections.get("default"),
        "UPDATE users SET payment_password_failures = payment_password_failures + 1 WHERE id = ?"
        " RETURNING payment_password_failures",
        fresh.id,
    )
    failures = int(rows[0]["payment_password_failures"])
    if failures >= MAX_FAILURES:
        await User.filter(id=fresh.id).update(payment_password_failures=0, payment_locked_until=now + LOCK_DURATION)
        from ..risk.alerts import raise_alert

        await raise_alert(
            "PAYMENT_PASSWORD_ATTEMPTS",
            "MEDIUM",
            f"用户 {fresh.id} 连续 {MAX_FAILURES} 次输错支付密码，支付已锁定 24 小时",
            user_id=fresh.id,
        )
        raise DomainError(ErrorCode.PAYMENT_PASSWORD_LOCKED, "支付密码错误次数过多，已锁定 24 小时", field)
    raise DomainError(
        ErrorCode.INVALID_PAYMENT_PASSWORD, f"支付密码错误，还可尝试 {MAX_FAILURES - failures} 次", field
    )
