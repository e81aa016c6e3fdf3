"""Password sign-in (2.2.1, 2.2.2) with throttling per account and per address.

- An unknown identifier and a wrong password give the same answer (and cost the
  same argon2 verification), so login never tells whether an account exists.
- 5 failures within 15 minutes lock the account for 15 minutes (ACCOUNT_LOCKED,
  also with the right password); the lock ends by itself, so a stranger cannot
  keep an account locked for longer than that from one burst.
- Each address has an hourly budget of attempts; an address failing on many
  distinct accounts in one hour raises a LOGIN_SPRAY alert for risk staff.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from tortoise.expressions import F, Q

from models import User

from .. import audit, clock, runtime
from ..errors import DomainError, ErrorCode, input_field
from ..masking import mask_email, mask_phone
from ..risk.alerts import PLATFORM, raise_alert
from .address_limits import WINDOW_SECONDS, address_key, count_request, hour_bucket
from .passwords import verify_password
from .recipients import email_address, mainland_mobile
from .sessions import SignedIn, start_session
from .totp import require_at_login as require_totp_at_login

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
# Distinct accounts one address may fail on within an hour before staff are alerted.
SPRAY_DISTINCT_ACCOUNTS = 10


def _invalid() -> DomainError:
    return DomainError(ErrorCode.INVALID_CREDENTIALS, "账号或密码错误", input_field("password"))


def locked_error(field: str = "identifier") -> DomainError:
    return DomainError(
        ErrorCode.ACCOUNT_LOCKED, "密码错误次数过多，账户已锁定 15 分钟，请稍后再试或找回密码", input_field(field)
    )


async def find_by_identifier(identifier: str) -> User | None:
    """The user a phone number or email names, or None (also for malformed input)."""
    if "@" in (identifier or ""):
        email = email_address(identifier)
        return await User.get_or_none(email=email) if email else None
    phone = mainland_mobile(identifier)
    return await User.get_or_none(phone=phone) if phone else None


def is_locked(user: User) -> bool:
    return user.login_locked_until is not None and user.login_locked_until > clock.now()


async def record_failure(user: User) -> bool:
    """Count a wrong password against the account; True when this failure locked it."""
    now = clock.now()
    window_start = now - FAILURE_WINDOW
    restarted = await User.filter(
        Q(login_window_started_at=None) | Q(login_window_started_at__lte=window_start), id=user.id
    ).update(login_failures=1, login_window_started_at=now)
    if not restarted:
        await User.filter(id=user.id).update(login_failures=F("login_failures") + 1)
    failures = (await User.get(id=user.id)).login_failures
    if failures >= MAX_FAILURES:
        await User.filter(id=user.id).update(
            login_failures=0, login_window_started_at=None, login_locked_until=now + LOCK_DURATION
        )
        return True
    return False


async def clear_failures(user: User) -> None:
    if user.login_failures or user.login_window_started_at is not None:
        await User.filter(id=user.id).update(login_failures=0, login_window_started_at=None)


async def _track_spray(ip: str | None, account_key: str) -> None:
    """Count distinct accounts this address failed on this hour; alert past the threshold."""
    kv = runtime.get().kv
    bucket, _ = hour_bucket()
    address = address_key(ip)
    first_time = await kv.set(f"login-spray:{address}:{bucket}:{account_key}", "1", WINDOW_SECONDS + 60, only_new=True)
    if not first_time:
        return
    distinct = await kv.incr(f"login-spray-count:{address}:{bucket}", WINDOW_SECONDS + 60)
    if distinct >= SPRAY_DISTINCT_ACCOUNTS:
        await raise_alert(
            "LOGIN_SPRAY",
            "HIGH",
            f"地址 {address} 在一小时内对 {distinct} 个不同账户登录失败，疑似撞库或密码喷洒攻击",
            scope=PLATFORM,
            dedupe_key=f"LOGIN_SPRAY:{address}:{bucket}",
        )


def _masked(identifier: str) -> str:
    if "@" in identifier:
        email = email_address(identifier)
        return mask_email(email) if email else "(invalid email)"
    phone = mainland_mobile(identifier)
    return mask_phone(phone) if phone else "(invalid phone)"


async def login(identifier: str, password: str, ip: str | None, *, totp_code: str | None = None) -> SignedIn:
    identifier = (identifier or "").strip()
    await count_request("login", ip, runtime.settings().ip_login_limit_per_hour, input_field("identifier"))
    user = await find_by_identifier(identifier)
    if user is not None and is_locked(user):
        await audit.record("login.failure", actor_id=None, subject_user_id=user.id, ip=ip,
                           details={"reason": "LOCKED", "method": "PASSWORD"})
        raise locked_error()
    if not verify_password(user.password_hash if user else None, password or "") or user is None:
        locked_now = await record_failure(user) if user is not None else False
        account_key = f"user:{user.id}" if user else "unknown:" + hashlib.sha256(identifier.lower().encode()).hexdigest()[:16]
        await _track_spray(ip, account_key)
        await audit.record(
            "login.failure", actor_id=None, subject_user_id=user.id if user else None, ip=ip,
            details={
                "reason": "WRONG_PASSWORD" if user else "UNKNOWN_IDENTIFIER",
                "identifier": _masked(identifier),
                "method": "PASSWORD",
                "locked": locked_now,
            },
        )
        raise _invalid()
    await require_totp_at_login(user, totp_code)
    await clear_failures(user)
    signed_in = await start_session(user, ip)
    await audit.record("login.success", actor_id=user.id, ip=ip, details={"method": "PASSWORD"})
    return signed_in
