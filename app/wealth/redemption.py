"""Redemption (seed 7.3): back to the wallet at once, one journal WEALTH_CUSTODY -> wallet.

Open-ended holdings redeem any amount up to principal plus accrued income; fixed-term
holdings refuse before maturity and are redeemed in full by the daily job when they
mature. A redemption takes accrued income first, then principal; a holding left with
nothing is REDEEMED (a carried remainder below one fen lapses with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models import User
from models.wealth import Holding

from .. import audit, clock
from ..business_days import CHINA
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork, unit_of_work
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency
from ..ledger.accounts import wallet_of
from ..ledger.events import emit_balance_changed
from ..money import format_fen
from ..movement_bounds import require_within_movement_maximum
from .accrual import accrue
from .bookings import book_redemption
from .holdings import HOLDING, REDEEMED, holding_of, is_matured, may_redeem_now, product_of
from .replay import HoldingResult, find_replay, load_result, stored_result

OPERATION = "WEALTH_REDEMPTION"


@dataclass(frozen=True)
class RedemptionRequest:
    holding_id: int | None
    amount: int | None
    """None: everything redeemable."""
    payment_password: str
    idempotency_key: str


def _check_state(holding: Holding, now: datetime) -> None:
    if holding.status != HOLDING:
        raise DomainError(ErrorCode.INVALID_STATE, "该持仓已全部赎回", input_field("holdingId"))
    if not may_redeem_now(holding, now):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            f"定期产品不能提前赎回，到期后将自动赎回至余额（到期时间：北京时间 "
            f"{holding.matures_at.astimezone(CHINA):%Y-%m-%d %H:%M}）",
            input_field("holdingId"),
        )


async def _lock(holding_id: int, uow: UnitOfWork) -> Holding:
    return await Holding.filter(id=holding_id).select_for_update().using_db(uow.conn).get()


async def _pay_out(
    uow: UnitOfWork,
    holding: Holding,
    amount: int,
    *,
    user: User | None,
    at_maturity: bool,
    ip: str | None = None,
) -> HoldingResult:
    """Move ``amount`` of a locked, up-to-date holding to its wallet (income first, then principal)."""
    product = await product_of(holding, uow.conn)
    from_income = min(amount, holding.accrued_income)
    from_principal = amount - from_income
    principal = holding.principal - from_principal
    income = holding.accrued_income - from_income
    fully = principal == 0 and income == 0
    wallet = await wallet_of(holding.user_id, uow.conn)
    tx, balance = await book_redemption(uow, wallet, product, holding.id, amount, at_maturity=at_maturity)
    now = clock.now()
    changes = {"principal": principal, "accrued_income": income}
    if fully:
        changes.update(status=REDEEMED, redeemed_at=now, income_remainder=0)
    updated = await Holding.filter(id=holding.id, status=HOLDING).using_db(uow.conn).update(**changes)
    if updated != 1:
        raise RuntimeError(f"holding {holding.id} changed while redeeming (it must be locked)")
    for name, value in changes.items():
        setattr(holding, name, value)
    owner = user or await User.get(id=holding.user_id, using_db=uow.conn)
    await emit_balance_changed(uow, wallet, balance, amount, transaction_id=tx.id, sms_phone=owner.phone)
    await audit.record(
        "WEALTH_REDEMPTION",
        actor_id=user.id if user else None,
        subject_user_id=holding.user_id,
        ip=ip,
        details={"holdingId": holding.id, "amount": amount, "atMaturity": at_maturity, "full": fully},
        conn=uow.conn,
    )
    return HoldingResult(holding=holding, transaction=tx)


async def redeem(user: User, request: RedemptionRequest, *, ip: str | None = None) -> HoldingResult:
    idempotency.validate_key(request.idempotency_key)
    digest = idempotency.request_hash(OPERATION, {"holdingId": request.holding_id, "amount": request.amount})
    replay = await find_replay(user.id, request.idempotency_key, OPERATION, digest)
    if replay is None:
        holding = await holding_of(user.id, request.holding_id)
        if holding is None:
            raise DomainError(ErrorCode.NOT_FOUND, "持仓不存在", input_field("holdingId"))
        _check_state(holding, clock.now())
        if request.amount is not None and request.amount <= 0:
            raise DomainError(ErrorCode.INVALID_AMOUNT, "赎回金额须大于 0", input_field("amount"))
        if request.amount is not None:
            require_within_movement_maximum(request.amount, input_field("amount"))
    await verify_payment_password(user, request.payment_password)
    if replay is not None:
        return await load_result(replay)

    async with unit_of_work() as uow:
        claim = await idempotency.claim(uow.conn, user.id, request.idempotency_key, OPERATION, digest)
        if claim.replay is not None:
            replay = claim.replay
        else:
            now = clock.now()
            holding = await _lock(holding.id, uow)
            _check_state(holding, now)
            # Income of the days already complete belongs to the principal held on them.
            await accrue(uow, holding, await product_of(holding, uow.conn), now)
            available = holding.principal + holding.accrued_income
            amount = available if request.amount is None else request.amount
            if amount > available:
                raise DomainError(
                    ErrorCode.INVALID_AMOUNT,
                    f"赎回金额不能超过可赎回金额 {format_fen(available)} 元",
                    input_field("amount"),
                )
            result = await _pay_out(uow, holding, amount, user=user, at_maturity=False, ip=ip)
            await idempotency.complete(
                uow.conn, claim.record_id, transaction_id=result.transaction.id, result=stored_result(holding.id)
            )
            return result
    return await load_result(replay)


async def settle_holding(holding_id: int, now: datetime) -> tuple[int, int, bool]:
    """The job's work on one holding: accrue complete days, and redeem in full at maturity.

    Returns (days accrued, income fen, matured). One database transaction per holding.
    """
    async with unit_of_work() as uow:
        holding = await _lock(holding_id, uow)
        if holding.status != HOLDING:
            return 0, 0, False
        accrued = await accrue(uow, holding, await product_of(holding, uow.conn), now)
        matured = is_matured(holding, now)
        if matured:
            await _pay_out(uow, holding, holding.principal + holding.accrued_income, user=None, at_maturity=True)
        return accrued.days, accrued.fen, matured
