"""Verification codes: 6 CSPRNG digits, hashed, 5 minutes, single use, 5 tries,
one send per recipient and purpose every 60 s and a daily cap per recipient."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from tortoise.expressions import F

from models.codes import VerificationCode

from .. import clock, notifier, runtime
from ..errors import DomainError, ErrorCode
from .address_limits import count_request
from .recipients import require_recipient

CODE_TTL = timedelta(minutes=5)
RESEND_INTERVAL = timedelta(seconds=60)
MAX_ATTEMPTS = 5

PURPOSE_TEXT = {
    "REGISTER": "注册",
    "RESET_PASSWORD": "重置登录密码",
    "CHANGE_PHONE": "更换手机号",
    "BIND_BANK_CARD": "绑定银行卡",
    "RESET_PAYMENT_PASSWORD": "重置支付密码",
    "PAYMENT": "支付验证",
    "CLOSE_ACCOUNT": "注销账户",
}


def _hash(recipient: str, purpose: str, code: str) -> str:
    pepper = runtime.settings().payment_pepper
    return hmac.new(pepper, f"code:{recipient}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


async def send_code(recipient: str, purpose: str) -> int:
    """Send a fresh code; returns seconds before another may be requested.

    Raises RATE_LIMITED (with ``retry_after_seconds``) inside the resend interval
    or past the daily cap. ``recipient`` must already be normalised and valid.
    """
    now = clock.now()
    last = (
        await VerificationCode.filter(recipient=recipient, purpose=purpose).order_by("-id").first()
    )
    if last is not None and now - last.created_at < RESEND_INTERVAL:
        wait = int((RESEND_INTERVAL - (now - last.created_at)).total_seconds()) + 1
        raise DomainError(ErrorCode.RATE_LIMITED, f"请 {wait} 秒后再试", ("input", "recipient"),
                          retry_after_seconds=wait)
    # The daily cap is per purpose: a stranger asking for REGISTER or RESET_PASSWORD codes
    # cannot use up the owner's PAYMENT or RESET_PAYMENT_PASSWORD codes.
    day_start = now - timedelta(hours=24)
    today = VerificationCode.filter(recipient=recipient, purpose=purpose, created_at__gte=day_start)
    sent_today = await today.count()
    if sent_today >= runtime.settings().code_daily_cap:
        oldest = await today.order_by("id").first()
        wait = int((oldest.created_at + timedelta(hours=24) - now).total_seconds()) + 1 if oldest else 3600
        raise DomainError(ErrorCode.RATE_LIMITED, "今日验证码发送次数已达上限", ("input", "recipient"),
                          retry_after_seconds=wait)
    code = f"{secrets.randbelow(1_000_000):06d}"
    await VerificationCode.create(
        recipient=recipient, purpose=purpose, code_hash=_hash(recipient, purpose, code), expires_at=now + CODE_TTL
    )
    what = PURPOSE_TEXT.get(purpose, purpose)
    await notifier.send(
        recipient, purpose, f"【fenpay】您的{what}验证码是 {code}，5 分钟内有效。请勿泄露给任何人。",
        params={"code": code},
    )
    return int(RESEND_INTERVAL.total_seconds())


async def consume_code(recipient: str, purpose: str, code: str, field: tuple[str, ...]) -> None:
    """Accept a code once. A wrong guess counts against the newest live code; 5 kill it."""
    now = clock.now()
    invalid = DomainError(ErrorCode.INVALID_VERIFICATION_CODE, "验证码错误或已失效", field)
    live = (
        await VerificationCode.filter(
            recipient=recipient, purpose=purpose, used_at=None, dead=False, expires_at__gt=now
        )
        .order_by("-id")
        .first()
    )
    if live is None:
        raise invalid
    # Claim one of the code's 5 tries before comparing: one conditional UPDATE, so however
    # many guesses arrive at once at most 5 are ever compared; the fifth also kills the code
    # unless it is the right one.
    claimed = await VerificationCode.filter(
        id=live.id, used_at=None, dead=False, attempts__lt=MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if claimed != 1:
        raise invalid
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()) or not hmac.compare_digest(
        live.code_hash, _hash(recipient, purpose, code)
    ):
        await VerificationCode.filter(id=live.id, attempts__gte=MAX_ATTEMPTS).update(dead=True)
        raise invalid
    # Single use even under concurrent submissions: only one UPDATE wins.
    used = await VerificationCode.filter(id=live.id, used_at=None, dead=False).update(used_at=now)
    if used != 1:
        raise invalid


OWNER_ONLY_PURPOSES = frozenset({"PAYMENT"})


async def request_code(raw_recipient: str, purpose: str, ip: str | None, viewer_phone: str | None = None) -> int:
    """The public entry: check the recipient's shape and the caller's address, then send.

    Any well-formed recipient gets a code whether or not it is registered, so the
    answer never tells a stranger who has an account (the code's owner learns it
    only when using the code). PAYMENT codes go only to the signed-in user's own
    phone (``viewer_phone``); caps count per recipient and purpose.
    """
    field = ("input", "recipient")
    recipient = require_recipient(raw_recipient, field)
    if purpose not in PURPOSE_TEXT:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "不支持的验证码用途", ("input", "purpose"))
    if purpose in OWNER_ONLY_PURPOSES and recipient != viewer_phone:
        # PAYMENT codes step up the signed-in owner's own payments: sent only to their bound phone.
        raise DomainError(ErrorCode.VALIDATION_FAILED, "支付验证码仅发送至当前登录账户绑定的手机号", field)
    await count_request("code", ip, runtime.settings().ip_code_limit_per_hour, field)
    return await send_code(recipient, purpose)
