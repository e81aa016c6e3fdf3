"""Payment passwords: the one verifier used by every money movement, and setting/resetting them.

5 wrong tries lock payments for 24 hours (PAYMENT_PASSWORD_LOCKED, also for the
right password while locked) and raise a risk alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F, Q

from models import User

from .. import audit, clock, db
from ..errors import DomainError, ErrorCode
from ..masking import mask_phone
from .codes import consume_code
from .password_rules import check_payment_password
from .passwords import hash_payment_password, payment_password_matches, verify_password

MAX_FAILURES = 5
LOCK_DURATION = timedelta(hours=24)
FIELD = ("input", "paymentPassword")


@dataclass(frozen=True)
class PasswordState:
    """The user's wrong-try count and lock end, as read from the users row."""

    failures: int
    locked_until: datetime | None


def _locked(field: tuple[str, ...]) -> DomainError:
    return DomainError(ErrorCode.PAYMENT_PASSWORD_LOCKED, "支付密码错误次数过多，已锁定 24 小时", field)


async def verify_payment_password(
    user: User, pin: str | None, field: tuple[str, ...] = FIELD, state: PasswordState | None = None
) -> None:
    """Accept the user's payment password or raise.

    The lock is read from the database at this instant, not from ``user`` (loaded when the
    request began), so a lock set by concurrent wrong tries also refuses the right PIN. A wrong
    PIN is counted with one conditional UPDATE that only succeeds while the user is not
    locked; the fifth sets the lock in the same statement. So however many wrong PINs arrive
    at once, at most 5 are ever counted as tries; the others answer PAYMENT_PASSWORD_LOCKED.
    ``state``: the lock state when the caller just read it in this request together with
    other rows (``app.payments.payer``); read here otherwise.
    Errors: PAYMENT_PASSWORD_NOT_SET, PAYMENT_PASSWORD_LOCKED, INVALID_PAYMENT_PASSWORD (on ``field``).
    """
    now = clock.now()
    if user.payment_password_hash is None:
        raise DomainError(ErrorCode.PAYMENT_PASSWORD_NOT_SET, "请先设置支付密码", field)
    if state is None:
        row = await User.filter(id=user.id).first().values("payment_password_failures", "payment_locked_until")
        if row is None:
            raise _locked(field)
        state = PasswordState(row["payment_password_failures"], row["payment_locked_until"])
    if state.locked_until is not None and state.locked_until > now:
        raise _locked(field)
    if pin is not None and payment_password_matches(user.id, user.payment_password_hash, pin):
        if state.failures:
            await User.filter(id=user.id).update(payment_password_failures=0)
        return
    failures = await _count_wrong_try(user.id, now)
    if failures is None:
        raise _locked(field)  # a concurrent try locked it first: this one is not evaluated
    if failures >= MAX_FAILURES:
        from ..risk.alerts import raise_alert

        await raise_alert(
            "PAYMENT_PASSWORD_ATTEMPTS",
            "MEDIUM",
            f"用户 {mask_phone(user.phone)} 连续 {MAX_FAILURES} 次输错支付密码，支付已锁定 24 小时",
            user_id=user.id,
        )
        raise _locked(field)
    raise DomainError(
        ErrorCode.INVALID_PAYMENT_PASSWORD, f"支付密码错误，还可尝试 {MAX_FAILURES - failures} 次", field
    )


async def _count_wrong_try(user_id: int, now) -> int | None:  # noqa: ANN001
    """One conditional UPDATE: +1 failure while unlocked, and the lock with the fifth.
    The failure count this try reached, or None when the user was already locked."""
    not_locked = Q(payment_locked_until=None) | Q(payment_locked_until__lte=now)
    until = now + LOCK_DURATION
    async with db.atomic() as conn:
        # The row lock of the first UPDATE orders concurrent tries; the second reads the count
        # this try made (inside the same transaction nobody else changes it).
        counted = await User.filter(not_locked, id=user_id).using_db(conn).update(
            payment_password_failures=F("payment_password_failures") + 1
        )
        if not counted:
            return None
        failures = (await User.filter(id=user_id).using_db(conn).first().values("payment_password_failures"))[
            "payment_password_failures"
        ]
        if failures >= MAX_FAILURES:
            await User.filter(id=user_id).using_db(conn).update(
                payment_password_failures=0, payment_locked_until=until
            )
    return int(failures)


def _check_new_pin(user: User, pin: str, confirmation: str) -> None:
    field = ("input", "paymentPassword")
    birth = user.birth_date if user.real_name_status == "VERIFIED" else None
    check_payment_password(pin, field, birth_date=birth)
    if pin != confirmation:
        raise DomainError(ErrorCode.PASSWORD_MISMATCH, "两次输入的支付密码不一致", ("input", "confirmPaymentPassword"))
    if verify_password(user.password_hash, pin):
        raise DomainError(ErrorCode.WEAK_PASSWORD, "支付密码不能与登录密码相同", field)


async def set_payment_password(
    user: User, pin: str, confirmation: str, current: str | None, ip: str | None
) -> None:
    """First set needs nothing more; a change needs the current payment password."""
    fresh = await User.get(id=user.id)
    _check_new_pin(fresh, pin, confirmation)
    changing = fresh.payment_password_hash is not None
    if changing:
        current_field = ("input", "currentPaymentPassword")
        if not current:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "修改支付密码需输入当前支付密码", current_field)
        await verify_payment_password(fresh, current, current_field)
        if current == pin:
            raise DomainError(ErrorCode.WEAK_PASSWORD, "新支付密码不能与当前支付密码相同", ("input", "paymentPassword"))
    await User.filter(id=fresh.id).update(payment_password_hash=hash_payment_password(fresh.id, pin))
    await audit.record("payment_password.change" if changing else "payment_password.set", actor_id=fresh.id, ip=ip)


async def reset_payment_password(user: User, code: str, pin: str, confirmation: str, ip: str | None) -> None:
    """Forgotten payment password: a RESET_PAYMENT_PASSWORD code sent to the bound phone.

    Proving the phone also lifts a payment lock (the seed: reset after identity verification).
    """
    fresh = await User.get(id=user.id)
    _check_new_pin(fresh, pin, confirmation)
    await consume_code(fresh.phone, "RESET_PAYMENT_PASSWORD", code, ("input", "verificationCode"))
    await User.filter(id=fresh.id).update(
        payment_password_hash=hash_payment_password(fresh.id, pin),
        payment_password_failures=0,
        payment_locked_until=None,
    )
    from ..merchant_platform.payment_code import invalidate as invalidate_payment_code

    await invalidate_payment_code(fresh.id)  # a reset means the old PIN (and the device) may be lost
    await audit.record("payment_password.reset", actor_id=fresh.id, ip=ip)
