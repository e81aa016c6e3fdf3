"""The dynamic token (动态令牌, guide 5.3.4): TOTP per RFC 6238 and its recovery codes.

Conventions (DESIGN 6b): 6 digits, 30-second steps, SHA-1, issuer ``fenpay`` in the
``otpauth://`` URI; the codes of the previous, current and next step are accepted
(±1 step, for clock drift); a code is accepted once (the one that confirmed enrolment
included), and so is every code of an earlier step; TOTP is off until enrolment is
confirmed. Ten single-use recovery codes (``ABCD-EFGH``, 40 random bits each, kept as
keyed hashes) stand in for a code at sign-in and when turning TOTP off.

Wrong codes are counted with one atomic ``UPDATE ... RETURNING`` per attempt, so a
burst of concurrent guesses all count; the fifth locks the token for 24 hours (like the
payment password) and raises a risk alert, a right code before that resets the count.
While locked every code is refused (``TOTP_LOCKED``).

Errors: ``INVALID_CREDENTIALS`` (login password), ``INVALID_STATE`` (already on / not
on / nothing to confirm), ``TOTP_REQUIRED``, ``INVALID_TOTP_CODE``, ``TOTP_LOCKED``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import secrets
from datetime import datetime, timedelta

import pyotp
import segno
from tortoise import connections
from tortoise.transactions import in_transaction

from models import User
from models.totp import TotpCredential, TotpRecoveryCode

from .. import audit, clock, crypto, runtime
from ..errors import DomainError, ErrorCode, input_field
from ..ledger import sql
from ..masking import mask_phone

ISSUER = "fenpay"
STEP_SECONDS = 30
DIGITS = 6
# Steps either side of the current one whose codes are still accepted.
DRIFT_STEPS = 1
MAX_FAILURES = 5
LOCK_DURATION = timedelta(hours=24)
RECOVERY_CODE_COUNT = 10
# Crockford-like alphabet without 0/O, 1/I: 32 symbols, 5 bits each.
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_RECOVERY_LENGTH = 8


@dataclasses.dataclass(frozen=True)
class Enrollment:
    """What an authenticator app needs: the base32 secret, its otpauth URI and that URI as a QR SVG."""

    secret: str
    uri: str
    qr_svg: str


def current_step(now: datetime | None = None) -> int:
    """The RFC 6238 time step (Unix seconds // 30) at ``now`` (default: the injectable clock)."""
    return int((now or clock.now()).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The 6-digit code of ``secret`` for time step ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def _normalise(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").upper()


def _recovery_hash(user_id: int, code: str) -> str:
    pepper = runtime.settings().payment_pepper
    return hmac.new(pepper, f"totp-recovery:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def _qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue().decode()


async def active_credential(user_id: int) -> TotpCredential | None:
    """The confirmed credential of the user, or None when TOTP is off."""
    return await TotpCredential.get_or_none(user_id=user_id, confirmed_at__not_isnull=True)


async def is_enabled(user_id: int) -> bool:
    return await TotpCredential.exists(user_id=user_id, confirmed_at__not_isnull=True)


async def _check_login_password(user: User, password: str) -> None:
    """Re-authenticate with the login password (wrong guesses count towards the login lockout)."""
    from .account_security import confirm_password  # login imports this module

    await confirm_password(user, password, "password")


def _locked_error(field: tuple[str, ...]) -> DomainError:
    return DomainError(ErrorCode.TOTP_LOCKED, "动态口令错误次数过多，已锁定 24 小时", field)


async def _count_failure(credential: TotpCredential, field: tuple[str, ...]) -> DomainError:
    """Count one wrong code atomically; the error to raise (TOTP_LOCKED on the fifth)."""
    rows = await sql.fetch(
        connections.get("default"),
        "UPDATE totp_credentials SET failures = failures + 1 WHERE id = ? RETURNING failures",
        credential.id,
    )
    failures = int(rows[0]["failures"]) if rows else MAX_FAILURES + 1
    if failures < MAX_FAILURES:
        return DomainError(
            ErrorCode.INVALID_TOTP_CODE, f"动态口令错误或已使用，还可尝试 {MAX_FAILURES - failures} 次", field
        )
    if failures > MAX_FAILURES:
        # A concurrent attempt reached the fifth failure first and set the lock.
        return _locked_error(field)
    # The count stays at 5 or more while locked, so attempts already under way lock too.
    await TotpCredential.filter(id=credential.id).update(locked_until=clock.now() + LOCK_DURATION)
    from ..risk.alerts import raise_alert

    await raise_alert(
        "TOTP_ATTEMPTS",
        "MEDIUM",
        f"用户 {credential.user_id} 连续 {MAX_FAILURES} 次输错动态口令，动态令牌已锁定 24 小时",
        user_id=credential.user_id,
    )
    await audit.record("totp.locked", actor_id=None, subject_user_id=credential.user_id)
    return _locked_error(field)


def _matching_step(secret: str, code: str, now_step: int) -> int | None:
    """The step within ±DRIFT_STEPS whose code is ``code``, or None."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    found = None
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found


async def _use_step(credential: TotpCredential, step: int) -> bool:
    """Mark ``step`` used; False when it (or a later step) was used before (a replay)."""
    used = await TotpCredential.filter(id=credential.id, last_used_step__lt=step).update(
        last_used_step=step, failures=0
    )
    return used == 1


async def _use_recovery_code(user_id: int, code: str) -> bool:
    """Spend an unused recovery code; False when unknown or spent (only one UPDATE can win)."""
    if len(code) != _RECOVERY_LENGTH:
        return False
    spent = await TotpRecoveryCode.filter(
        user_id=user_id, code_hash=_recovery_hash(user_id, code), used_at=None
    ).update(used_at=clock.now())
    return spent == 1


async def verify(
    credential: TotpCredential,
    raw_code: str | None,
    field: tuple[str, ...],
    *,
    allow_recovery: bool,
    count_failure: bool = True,
) -> str:
    """Accept a current code (or, when allowed, an unused recovery code) exactly once.

    Returns ``"TOTP"`` or ``"RECOVERY"``. Raises ``TOTP_LOCKED`` while locked and
    ``INVALID_TOTP_CODE`` for a wrong, stale or replayed code (counted unless
    ``count_failure`` is False, when the caller counts it itself).
    """
    now = clock.now()
    if credential.locked_until is not None:
        if credential.locked_until > now:
            raise _locked_error(field)
        # The lock has run out: start counting afresh (once, whoever gets here first).
        await TotpCredential.filter(id=credential.id, locked_until=credential.locked_until).update(
            failures=0, locked_until=None
        )
    code = _normalise(raw_code)
    secret = crypto.decrypt(credential.secret_enc)
    step = _matching_step(secret, code, current_step(now))
    if step is not None and await _use_step(credential, step):
        return "TOTP"
    if allow_recovery and step is None and await _use_recovery_code(credential.user_id, code):
        await TotpCredential.filter(id=credential.id).update(failures=0)
        return "RECOVERY"
    if not count_failure:
        raise DomainError(ErrorCode.INVALID_TOTP_CODE, "动态口令错误或已使用", field)
    raise await _count_failure(credential, field)


async def begin_enrollment(user: User, password: str, ip: str | None) -> Enrollment:
    """Start (or restart) enrolment after the login password: a fresh secret, not yet on."""
    await _check_login_password(user, password)
    if await is_enabled(user.id):
        raise DomainError(ErrorCode.INVALID_STATE, "动态令牌已开启，如需更换请先关闭", input_field("password"))
    secret = pyotp.random_base32()
    sealed = crypto.encrypt(secret)
    async with in_transaction():
        await TotpCredential.filter(user_id=user.id, confirmed_at=None).delete()
        await TotpCredential.create(user_id=user.id, secret_enc=sealed)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=mask_phone(user.phone), issuer_name=ISSUER
    )
    await audit.record("totp.enrollment_started", actor_id=user.id, ip=ip)
    return Enrollment(secret=secret, uri=uri, qr_svg=_qr_svg(uri))


async def confirm_enrollment(user: User, code: str, ip: str | None) -> list[str]:
    """Turn TOTP on with the first code from the app; returns the 10 recovery codes (shown once)."""
    field = input_field("code")
    pending = await TotpCredential.get_or_none(user_id=user.id, confirmed_at=None)
    if pending is None:
        if await is_enabled(user.id):
            raise DomainError(ErrorCode.INVALID_STATE, "动态令牌已开启", field)
        raise DomainError(ErrorCode.INVALID_STATE, "请先开始绑定动态令牌", field)
    await verify(pending, code, field, allow_recovery=False)
    recovery_codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    async with in_transaction():
        confirmed = await TotpCredential.filter(id=pending.id, confirmed_at=None).update(confirmed_at=clock.now())
        if confirmed != 1:
            raise DomainError(ErrorCode.INVALID_STATE, "动态令牌已开启", field)
        await TotpRecoveryCode.filter(user_id=user.id).delete()
        await TotpRecoveryCode.bulk_create(
            [TotpRecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, _normalise(c))) for c in recovery_codes]
        )
    await audit.record("totp.enabled", actor_id=user.id, ip=ip)
    return recovery_codes


async def disable(user: User, password: str, code: str, ip: str | None) -> None:
    """Turn TOTP off: the login password plus a current code or an unused recovery code."""
    credential = await active_credential(user.id)
    if credential is None:
        raise DomainError(ErrorCode.INVALID_STATE, "动态令牌未开启", input_field("code"))
    await _check_login_password(user, password)
    await verify(credential, code, input_field("code"), allow_recovery=True)
    async with in_transaction():
        await TotpRecoveryCode.filter(user_id=user.id).delete()
        await TotpCredential.filter(user_id=user.id).delete()
    await audit.record("totp.disabled", actor_id=user.id, ip=ip)


async def require_at_login(user: User, code: str | None) -> None:
    """The sign-in step after a correct password: nothing when TOTP is off; otherwise a
    current code or an unused recovery code in ``totpCode`` (TOTP_REQUIRED when absent)."""
    credential = await active_credential(user.id)
    if credential is None:
        return
    field = input_field("totpCode")
    if not _normalise(code):
        raise DomainError(ErrorCode.TOTP_REQUIRED, "该账户已开启动态令牌，请输入动态口令", field)
    await verify(credential, code, field, allow_recovery=True)


async def accept_step_up_code(user: User, code: str, field: tuple[str, ...]) -> bool:
    """For the step-up of large payments: True when TOTP is on and ``code`` is its current,
    unused code (then spent). False otherwise, without counting: the caller goes on to try
    the code as an SMS code and calls ``count_step_up_failure`` if that fails too."""
    credential = await active_credential(user.id)
    if credential is None:
        return False
    if credential.locked_until is not None and credential.locked_until > clock.now():
        return False
    try:
        await verify(credential, code, field, allow_recovery=False, count_failure=False)
    except DomainError:
        return False
    return True


async def count_step_up_failure(user: User, field: tuple[str, ...]) -> DomainError | None:
    """A step-up code matched neither TOTP nor SMS: count it against the token (when on).

    Returns TOTP_LOCKED when this failure locked it (or it is locked), else None."""
    credential = await active_credential(user.id)
    if credential is None:
        return None
    if credential.locked_until is not None and credential.locked_until > clock.now():
        return _locked_error(field)
    error = await _count_failure(credential, field)
    return error if error.code == ErrorCode.TOTP_LOCKED else None
