"""The risk check every outgoing money movement passes (pay, transfer, withdraw, QR pay,
wealth purchase). Outcomes: allow, step-up (VERIFICATION_REQUIRED until a valid PAYMENT
code comes with the request) or reject. Each decision is recorded with its rule.

Two halves: ``screen`` (status, real name, step-up) runs before the money transaction;
``limit_refusal`` (lifetime cap, daily limit, velocity) runs inside it, under the payer's
wallet row lock taken by the money kernel, so the figures cannot change between the check
and the debit."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from tortoise import connections
from tortoise.exceptions import IntegrityError

from models import User
from models.risk import RiskDecision

from .. import clock, runtime
from ..business_days import china_day_start
from ..db import Conn
from ..errors import DomainError, ErrorCode
from ..fx.booking import used_this_year
from ..group_write import GroupWrite
from ..identity import totp
from ..identity.codes import consume_code
from ..ledger import sql
from ..ledger.vocabulary import TransactionStatus, TransactionType
from ..masking import mask_phone
from ..money import format_fen
from ..ops import metrics
from .alerts import raise_alert

OUTGOING_TYPES = (
    TransactionType.PAYMENT,
    TransactionType.TRANSFER,
    TransactionType.WITHDRAWAL,
    TransactionType.WEALTH_PURCHASE,
    TransactionType.RED_PACKET,
)
LIVE_STATUSES = (TransactionStatus.SUCCEEDED, TransactionStatus.PENDING, TransactionStatus.PROCESSING)
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
    cross_border_limit_fen: int | None = None
    """Set for a cross-border payment: the annual per-person limit in fen (``fx.quotes.annual_limit_fen``),
    checked with the year's other cross-border payments under the wallet lock."""


async def _verify_step_up_code(user: User, code: str) -> None:
    """The step-up code: the dynamic token's current code when the user has TOTP on, else
    (or failing that) the PAYMENT SMS code; a code matching neither also counts against the token."""
    field = ("input", "verificationCode")
    if await totp.accept_step_up_code(user, code, field):
        return
    try:
        await consume_code(user.phone, "PAYMENT", code, field)
    except DomainError:
        locked = await totp.count_step_up_failure(user, field)
        if locked is not None:
            raise locked from None
        raise


async def _write_decisions(decisions: list[RiskDecision]) -> None:
    # One multi-row INSERT: a single statement needs no BEGIN/COMMIT around it (bulk_create adds them).
    await sql.execute(
        connections.get("default"),
        "INSERT INTO risk_decisions (user_id, operation, amount, outcome, rule, created_at) VALUES "
        + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(decisions)),
        *(value for d in decisions for value in (d.user_id, d.operation, d.amount, d.outcome, d.rule, d.created_at)),
    )


# Concurrent requests' decisions share one INSERT (a commit per payment saved under load).
_decisions: GroupWrite[RiskDecision] = GroupWrite(_write_decisions)


async def _record(o: Outgoing, outcome: str, rule: str) -> None:
    metrics.RISK_DECISIONS.labels(outcome, rule).inc()
    await _decisions.submit(
        RiskDecision(user_id=o.user.id, operation=o.operation, amount=o.amount, outcome=outcome, rule=rule)
    )


async def _reject(o: Outgoing, rule: str, code: ErrorCode, message: str, field: str | None = "amount") -> NoReturn:
    await _record(o, "REJECT", rule)
    raise DomainError(code, message, ("input", field) if field else None)


@dataclass(frozen=True)
class Refusal:
    """A limit said no: the rule, the error the caller gets, and for VELOCITY the count seen."""

    rule: str
    code: ErrorCode
    message: str
    recent_payments: int = 0


@dataclass(frozen=True)
class Spending:
    """The figures the limits count (fen, except ``recent_payments``)."""

    lifetime: int
    today: int
    recent_payments: int


def spending_query(o: Outgoing, now: datetime) -> tuple[str, tuple[Any, ...]]:
    """The SELECT (one row: ``lifetime``, ``today``, ``recent``) of the payer's figures at ``now``,
    with its '?' values (index on account_id, created_at). ``lifetime`` covers only the day and the
    velocity window for a verified user (no lifetime cap applies to them). The money kernel sends it
    as its own statement or as part of the movement's one statement (either way after it holds
    the wallet lock, so the statement's snapshot holds every earlier movement of the wallet)."""
    settings = runtime.settings()
    day_start = china_day_start(now)
    window_start = now - timedelta(seconds=settings.risk_velocity_window_seconds)
    since = None if o.user.real_name_status != "VERIFIED" else min(day_start, window_start)
    live = ", ".join("?" * len(LIVE_STATUSES))
    text = (
        "SELECT COALESCE(SUM(amount), 0) AS lifetime,"
        " COALESCE(SUM(CASE WHEN created_at >= ? THEN amount ELSE 0 END), 0) AS today,"
        " COALESCE(SUM(CASE WHEN created_at >= ? AND type IN ('PAYMENT', 'TRANSFER') AND status = 'SUCCEEDED'"
        " THEN 1 ELSE 0 END), 0) AS recent"
        f" FROM transactions WHERE account_id = ? AND type IN ({', '.join('?' * len(OUTGOING_TYPES))})"
        f" AND status IN ({live})" + ("" if since is None else " AND created_at >= ?")
    )
    values = (day_start, window_start, o.wallet_id, *OUTGOING_TYPES, *LIVE_STATUSES, *(() if since is None else (since,)))
    return text, values


def spending_from(row: dict[str, Any]) -> Spending:
    """The figures from a row of ``spending_query``."""
    return Spending(int(row["lifetime"] or 0), int(row["today"] or 0), int(row["recent"] or 0))


async def _check_standing(o: Outgoing) -> None:
    """Account status and the operations an unverified user may not do at all."""
    if o.user.status in ("FROZEN", "ABNORMAL"):
        await _reject(o, "ACCOUNT_STATUS", ErrorCode.ACCOUNT_FROZEN, "账户已冻结，暂不能转出资金", field=None)
    if o.user.real_name_status != "VERIFIED" and o.operation in VERIFIED_ONLY:
        await _reject(o, "REAL_NAME", ErrorCode.REAL_NAME_REQUIRED, "请先完成实名认证")


async def _check_step_up(o: Outgoing) -> str:
    """Above the step-up threshold a PAYMENT code must come with the request (consumed here).
    Returns the rule an allowed movement is recorded under."""
    settings = runtime.settings()
    if not (o.amount > settings.risk_step_up_fen and o.operation in STEP_UP_OPERATIONS):
        return "DEFAULT"
    if not o.verification_code:
        await _record(o, "STEP_UP", "LARGE_AMOUNT")
        raise DomainError(
            ErrorCode.VERIFICATION_REQUIRED,
            "大额交易需要短信验证：请获取支付短信验证码后重试",
            ("input", "verificationCode"),
        )
    await _verify_step_up_code(o.user, o.verification_code)
    await raise_alert(
        "LARGE_AMOUNT", "MEDIUM", f"用户 {mask_phone(o.user.phone)} 发起大额交易 {format_fen(o.amount)} 元（已短信验证）",
        user_id=o.user.id,
    )
    return "LARGE_AMOUNT_VERIFIED"


async def screen(o: Outgoing) -> str:
    """The rules that do not depend on other movements, checked before the money transaction:
    account status, verified-only operations and the step-up (consuming the PAYMENT code).

    Returns the rule to record with ALLOW once the movement commits (see ``allow``); raises
    ACCOUNT_FROZEN, REAL_NAME_REQUIRED, VERIFICATION_REQUIRED or INVALID_VERIFICATION_CODE.
    The limits are NOT checked here: ``limit_refusal`` evaluates them under the payer's wallet
    lock inside the money kernel's transaction (``app/ledger/kernel.py``)."""
    await _check_standing(o)
    return await _check_step_up(o)


async def limit_refusal(conn: Conn, o: Outgoing) -> Refusal | None:
    """The limits that count other movements, evaluated on ``conn`` from figures read there.

    Call it while holding the payer's wallet row lock in the movement's own transaction, so two
    concurrent movements of one wallet cannot both see the figures before the other: unverified
    lifetime cap (REAL_NAME_REQUIRED), daily outgoing per China day (LIMIT_EXCEEDED), velocity
    count in the window (RISK_REJECTED), the annual cross-border limit (LIMIT_EXCEEDED). Returns None when all pass; records nothing (the caller
    rolls back and then calls ``refuse``)."""
    now = clock.now()
    text, values = spending_query(o, now)
    rows = await sql.fetch(conn, text, *values)
    used = await used_this_year(conn, o.user.id, now) if o.cross_border_limit_fen is not None else 0
    return judge(o, spending_from(rows[0]), cross_border_used=used)


def judge(o: Outgoing, spending: Spending, *, cross_border_used: int = 0) -> Refusal | None:
    """The limits' verdict on ``o`` given the figures (``spending_query``) and, for a cross-border
    payment, the year's cross-border total so far (fen); None when all pass."""
    settings = runtime.settings()
    verified = o.user.real_name_status == "VERIFIED"
    if not verified and spending.lifetime + o.amount > settings.risk_unverified_lifetime_fen:
        return Refusal(
            "UNVERIFIED_CAP", ErrorCode.REAL_NAME_REQUIRED,
            f"未实名用户累计支付不能超过 {format_fen(settings.risk_unverified_lifetime_fen)} 元，请先完成实名认证",
        )
    if spending.today + o.amount > settings.risk_daily_out_limit_fen:
        return Refusal(
            "DAILY_LIMIT", ErrorCode.LIMIT_EXCEEDED,
            f"超出每日转出限额 {format_fen(settings.risk_daily_out_limit_fen)} 元",
        )
    if o.cross_border_limit_fen is not None and cross_border_used + o.amount > o.cross_border_limit_fen:
        return Refusal(
            "FX_ANNUAL_LIMIT", ErrorCode.LIMIT_EXCEEDED,
            f"超出年度跨境支付额度 {format_fen(o.cross_border_limit_fen)} 元"
            f"（今年已用 {format_fen(cross_border_used)} 元）",
        )
    if o.operation in VELOCITY_OPERATIONS and spending.recent_payments >= settings.risk_velocity_count:
        return Refusal(
            "VELOCITY", ErrorCode.RISK_REJECTED, "交易过于频繁，已被风控拦截", recent_payments=spending.recent_payments
        )
    return None


async def refuse(o: Outgoing, refusal: Refusal) -> NoReturn:
    """Record the refusal (after the money transaction rolled back), alert on VELOCITY, raise it."""
    if refusal.rule == "VELOCITY":
        settings = runtime.settings()
        with contextlib.suppress(IntegrityError):  # a concurrent refusal raised it first
            await raise_alert(
                "VELOCITY", "HIGH",
                f"用户 {mask_phone(o.user.phone)} 在 {settings.risk_velocity_window_seconds} 秒内成功付款 "
                f"{refusal.recent_payments} 笔，已拦截",
                user_id=o.user.id,
                # One alert per user per minute of a burst, however many attempts it refuses.
                dedupe_key=f"VELOCITY:{o.user.id}:{clock.now():%Y%m%d%H%M}",
            )
    await _reject(o, refusal.rule, refusal.code, refusal.message)


async def allow(o: Outgoing, rule: str) -> None:
    """Record that the movement passed every rule (after it committed)."""
    await _record(o, "ALLOW", rule)


def allowed_decision(o: Outgoing, rule: str) -> RiskDecision:
    """The ALLOW decision of ``o``, not yet written: the money kernel writes it with the movement
    (then calls ``count_allowed`` once committed) instead of ``allow`` after it."""
    return RiskDecision(user_id=o.user.id, operation=o.operation, amount=o.amount, outcome="ALLOW", rule=rule)


def count_allowed(rule: str) -> None:
    """The metric of an ALLOW decision written with its movement."""
    metrics.RISK_DECISIONS.labels("ALLOW", rule).inc()


async def check_outgoing(o: Outgoing) -> None:
    """Every rule at once, outside any money transaction: a dry run for operators and tests.

    Not atomic with any debit (the figures may change before money moves): services move money
    through the kernel, which runs ``screen`` before and ``limit_refusal`` under the wallet lock.
    Raises the DomainError of the first rule that says no (and records it), else records ALLOW."""
    await _check_standing(o)
    refusal = await limit_refusal(connections.get("default"), o)
    if refusal is not None:
        await refuse(o, refusal)
    await allow(o, await _check_step_up(o))
