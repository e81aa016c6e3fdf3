"""Password sign-in (2.2.1, 2.2.2) with throttling per account and per address.

- An unknown identifier and a wrong password give the same answer (and cost the
  same argon2 verification), so login never tells whether an account exists.
- 5 failures within 15 minutes lock the account for 15 minutes (ACCOUNT_LOCKED,
  also with the right password); the lock ends by itself, so a stranger cannot
  keep an account locked for longer than that from one burst. Attempts are
  counted atomically before the password is evaluated (``claim_attempt``), so a
  burst of any size gets at most 5 evaluated. Unknown identifiers lock the same
  way (counted in the shared store), so the lock reveals nothing either.
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


def _not_locked(now) -> Q:  # noqa: ANN001
    return Q(login_locked_until=None) | Q(login_locked_until__lte=now)


async def claim_attempt(user: User) -> bool:
    """Count one password attempt *before* it is evaluated; False when the account is locked.

    Each claim is one conditional UPDATE: a new window restarts the count at 1, otherwise the
    count goes up only while it is below ``MAX_FAILURES``. However many requests arrive at
    once, at most 5 attempts per window are ever evaluated; the rest are refused as locked
    (also with the right password). A right password gives its claim back (``clear_failures``).
    """
    now = clock.now()
    window_start = now - FAILURE_WINDOW
    restarted = await User.filter(
        Q(login_window_started_at=None) | Q(login_window_started_at__lte=window_start), _not_locked(now), id=user.id
    ).update(login_failures=1, login_window_started_at=now)
    if restarted:
        return True
    counted = await User.filter(
        _not_locked(now), id=user.id, login_window_started_at__gt=window_start, login_failures__lt=MAX_FAILURES
    ).update(login_failures=F("login_failures") + 1)
    return counted == 1


async def record_failure(user: User) -> bool:
    """After a claimed attempt failed: lock the account once its window holds 5 failures.
    True when the account is locked now."""
    now = clock.now()
    locked = await User.filter(id=user.id, login_failures__gte=MAX_FAILURES).update(
        login_failures=0, login_window_started_at=None, login_locked_until=now + LOCK_DURATION
    )
    if locked:
        return True
    return is_locked(await User.get(id=user.id))


async def clear_failures(user: User) -> None:
    await User.filter(id=user.id).update(login_failures=0, login_window_started_at=None)


def _unknown_key(identifier: str) -> str:
    return hashlib.sha256(identifier.lower().encode()).hexdigest()[:24]


async def claim_unknown_attempt(identifier: str) -> bool:
    """The same 5-tries-then-15-minutes rule for identifiers nobody registered, counted in the
    shared store (one INCR per attempt), so a lock never tells a registered phone from an
    unknown one."""
    kv = runtime.get().kv
    key = _unknown_key(identifier)
    if await kv.get(f"login-unknown-lock:{key}") is not None:
        return False
    count = await kv.incr(f"login-unknown:{key}", int(FAILURE_WINDOW.total_seconds()))
    if count > MAX_FAILURES:
        return False
    if count == MAX_FAILURES:
        await kv.set(f"login-unknown-lock:{key}", "1", int(LOCK_DURATION.total_seconds()))
    return True


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
    claimed = await claim_attempt(user) if user is not None else await claim_unknown_attempt(identifier)
    if not claimed:
        await audit.record("login.failure", actor_id=None, subject_user_id=user.id if user else None, ip=ip,
                           details={"reason": "LOCKED", "method": "PASSWORD", "identifier": _masked(identifier)})
        raise locked_error()
    if not verify_password(user.password_hash if user else None, password or "") or user is None:
        locked_now = await record_failure(user) if user is not None else False
        account_key = f"user:{user.id}" if user else "unknown:" + _unknown_key(identifier)[:16]
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
    # The password was right: its claim is given back; wrong dynamic-token codes count on the token.
    await clear_failures(user)
    await require_totp_at_login(user, totp_code)
    signed_in = await start_session(user, ip)
    await audit.record("login.success", actor_id=user.id, ip=ip, details={"method": "PASSWORD"})
    return signed_in
