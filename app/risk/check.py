"""The risk check every outgoing money movement passes (pay, transfer, withdraw, QR pay,
wealth purchase). Outcomes: allow, step-up (VERIFICATION_REQUIRED until a valid PAYMENT
code comes with the request) or reject. Each decision is recorded with its rule."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum

from models import Transaction, User
from models.risk import RiskDecision

from .. import clock, runtime
from ..business_days import china_day_start
from ..errors import DomainError, ErrorCode
from ..identity.codes import consume_code
from ..money import format_fen
from .alerts import raise_alert

OUTGOING_TYPES = ("PAYMENT", "TRANSFER", "WITHDRAWAL", "WEALTH_PURCHASE")
LIVE_STATUSES = ("SUCCEEDED", "PENDING", "PROCESSING")
# Operations an unverified user may not do at all.
VERIFIED_ONLY = frozenset({"WITHDRAW", "WEALTH_PURCHASE"})
# Above the step-up threshold these need a PAYMENT code (a withdrawal goes only to the
# user's own bound card or account, so it does not).
STEP_UP_OPERATIONS = frozenset({"PAY", "QR_PAY", "TRANSFER", "WEALTH_PURCHASE"})
# Operations counted by (and subject to) the velocity rule.
VELOCITY_OPERATIONS = frozenset({"PAY", "QR_PAY", "TRANSFER"})


@dataclass(frozen=True)
class Outgoing:
    user: User
    wallet_id: int
    amount: int
    operation: str
    """PAY, TRANSFER, WITHDRAW, QR_PAY or WEALTH_PURCHASE."""
    verification_code: str | None = None


async def _record(o: Outgoing, outcome: str, rule: str) -> None:
    await RiskDecision.create(user_id=o.user.id, operation=o.operation, amount=o.amount, outcome=outcome, rule=rule)


async def _reject(o: Outgoing, rule: str, code: ErrorCode, message: str, field: str | None = "amount") -> None:
    await _record(o, "REJECT", rule)
    raise DomainError(code, message, ("input", field) if field else None)


async def _outgoing_total(wallet_id: int, since=None) -> int:  # noqa: ANN001
    query = Transaction.filter(account_id=wallet_id, type__in=OUTGOING_TYPES, status__in=LIVE_STATUSES)
    if since is not None:
        query = query.filter(created_at__gte=since)
    row = await query.annotate(total=Sum("amount")).first().values("total")
    return int((row or {}).get("total") or 0)


async def check_outgoing(o: Outgoing) -> None:
    """Raise a DomainError when the movement may not happen (nothing has moved yet)."""
    settings = runtime.settings()
    now = clock.now()
    user = await User.get(id=o.user.id)
    if user.status in ("FROZEN", "ABNORMAL"):
        await _reject(o, "ACCOUNT_STATUS", ErrorCode.ACCOUNT_FROZEN, "账户已冻结，暂不能转出资金", field=None)
    if user.real_name_status != "VERIFIED":
        if o.operation in VERIFIED_ONLY:
            await _reject(o, "REAL_NAME", ErrorCode.REAL_NAME_REQUIRED, "请先完成实名认证")
        spent = await _outgoing_total(o.wallet_id)
        if spent + o.amount > settings.risk_unverified_lifetime_fen:
            await _reject(
                o, "UNVERIFIED_CAP", ErrorCode.REAL_NAME_REQUIRED,
                f"未实名用户累计支付不能超过 {format_fen(settings.risk_unverified_lifetime_fen)} 元，请先完成实名认证",
            )
    today = await _outgoing_total(o.wallet_id, china_day_start(now))
    if today + o.amount > settings.risk_daily_out_limit_fen:
        await _reject(
            o, "DAILY_LIMIT", ErrorCode.LIMIT_EXCEEDED,
            f"超出每日转出限额 {format_fen(settings.risk_daily_out_limit_fen)} 元",
        )
    if o.operation in VELOCITY_OPERATIONS:
        window = now - timedelta(seconds=settings.risk_velocity_window_seconds)
        recent = await Transaction.filter(
            account_id=o.wallet_id, type__in=("PAYMENT", "TRANSFER"), status="SUCCEEDED", created_at__gte=window
        ).count()
        if recent >= settings.risk_velocity_count:
            with contextlib.suppress(IntegrityError):  # a concurrent refusal raised it first
                await raise_alert(
                    "VELOCITY", "HIGH",
                    f"用户 {user.id} 在 {settings.risk_velocity_window_seconds} 秒内成功付款 {recent} 笔，已拦截",
                    user_id=user.id,
                    # One alert per user per minute of a burst, however many attempts it refuses.
                    dedupe_key=f"VELOCITY:{user.id}:{now:%Y%m%d%H%M}",
                )
            await _reject(o, "VELOCITY", ErrorCode.RISK_REJECTED, "交易过于频繁，已被风控拦截")
    if o.amount > settings.risk_step_up_fen and o.operation in STEP_UP_OPERATIONS:
        if not o.verification_code:
            await _record(o, "STEP_UP", "LARGE_AMOUNT")
            raise DomainError(
                ErrorCode.VERIFICATION_REQUIRED,
                "大额交易需要短信验证：请获取 PAYMENT 验证码后重试",
                ("input", "verificationCode"),
            )
        await consume_code(user.phone, "PAYMENT", o.verification_code, ("input", "verificationCode"))
        await raise_alert(
            "LARGE_AMOUNT", "MEDIUM", f"用户 {user.id} 发起大额交易 {format_fen(o.amount)} 元（已短信验证）",
            user_id=user.id,
        )
        await _record(o, "ALLOW", "LARGE_AMOUNT_VERIFIED")
        return
    await _record(o, "ALLOW", "DEFAULT")
