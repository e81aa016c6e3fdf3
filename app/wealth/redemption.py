"""Redemption (seed 7.3): back to the wallet at once, one journal WEALTH_CUSTODY -> wallet.

Open-ended holdings redeem any amount up to principal plus accrued income; fixed-term
holdings refuse before maturity and are redeemed in full by the daily job when they
mature. A redemption takes accrued income first, then principal; a holding left with
nothing is REDEEMED (a carried remainder below one fen lapses with it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from models import Transaction, User
from models.wealth import Holding

from .. import audit, clock
from ..business_days import CHINA
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork, unit_of_work
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel
from ..ledger.accounts import wallet_of
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..money import format_fen
from ..movement_bounds import require_within_movement_maximum
from .accrual import accrue
from .bookings import redemption_movement
from .holdings import HOLDING, REDEEMED, holding_of, is_matured, may_redeem_now, product_of

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
    # Only a fixed-term holding (one with a maturity) can be refused here.
    if holding.matures_at is not None and not may_redeem_now(holding, now):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            f"定期产品不能提前赎回，到期后将自动赎回至余额（到期时间：北京时间 "
            f"{holding.matures_at.astimezone(CHINA):%Y-%m-%d %H:%M}）",
            input_field("holdingId"),
        )


async def _lock(holding_id: int, uow: UnitOfWork) -> Holding:
    return await Holding.filter(id=holding_id).select_for_update().using_db(uow.conn).get()


async def _redemption(
    uow: UnitOfWork,
    holding: Holding,
    amount: int,
    *,
    user: User | None,
    at_maturity: bool,
    ip: str | None = None,
) -> Movement:
    """``amount`` of a locked, up-to-date holding back to its wallet (income first, then
    principal), the holding's new state written with the movement (``after``)."""
    product = await product_of(holding, uow.conn)
    from_income = min(amount, holding.accrued_income)
    from_principal = amount - from_income
    principal = holding.principal - from_principal
    income = holding.accrued_income - from_income
    fully = principal == 0 and income == 0
    wallet = await wallet_of(holding.user_id, uow.conn)
    owner = user or await User.get(id=holding.user_id, using_db=uow.conn)

    async def update_holding(uow: UnitOfWork, _tx: Transaction, _balances: object) -> None:
        changes: dict[str, object] = {"principal": principal, "accrued_income": income}
        if fully:
            changes.update(status=REDEEMED, redeemed_at=clock.now(), income_remainder=0)
        updated = await Holding.filter(id=holding.id, status=HOLDING).using_db(uow.conn).update(**changes)
        if updated != 1:
            raise RuntimeError(f"holding {holding.id} changed while redeeming (it must be locked)")
        for name, value in changes.items():
            setattr(holding, name, value)
        await audit.record(
            "WEALTH_REDEMPTION",
            actor_id=user.id if user else None,
            subject_user_id=holding.user_id,
            ip=ip,
            details={"holdingId": holding.id, "amount": amount, "atMaturity": at_maturity, "full": fully},
            conn=uow.conn,
        )

    movement = await redemption_movement(wallet, product, holding.id, amount, at_maturity=at_maturity)
    return replace(movement, notices=(Notice(wallet, amount, sms_phone=owner.phone),), after=update_holding)


async def redeem(user: User, request: RedemptionRequest, *, ip: str | None = None) -> MoneyResult:
    """Redeem now: the transaction's ``reference_id`` is the holding's id."""
    idempotency.validate_key(request.idempotency_key)
    digest = idempotency.request_hash(OPERATION, {"holdingId": request.holding_id, "amount": request.amount})
    key = Key(user.id, request.idempotency_key, OPERATION, digest)
    first = await kernel.earlier(key)
    if first is None:
        holding = await holding_of(user.id, request.holding_id)
        if holding is None:
            raise DomainError(ErrorCode.NOT_FOUND, "持仓不存在", input_field("holdingId"))
        holding_id = holding.id
        _check_state(holding, clock.now())
        if request.amount is not None and request.amount <= 0:
            raise DomainError(ErrorCode.INVALID_AMOUNT, "赎回金额须大于 0", input_field("amount"))
        if request.amount is not None:
            require_within_movement_maximum(request.amount, input_field("amount"))
    await verify_payment_password(user, request.payment_password)
    if first is not None:
        return first

    async def describe(uow: UnitOfWork) -> Movement:
        now = clock.now()
        locked = await _lock(holding_id, uow)
        _check_state(locked, now)
        # Income of the days already complete belongs to the principal held on them.
        await accrue(uow, locked, await product_of(locked, uow.conn), now)
        available = locked.principal + locked.accrued_income
        amount = available if request.amount is None else request.amount
        if amount > available:
            raise DomainError(
                ErrorCode.INVALID_AMOUNT,
                f"赎回金额不能超过可赎回金额 {format_fen(available)} 元",
                input_field("amount"),
            )
        movement = await _redemption(uow, locked, amount, user=user, at_maturity=False, ip=ip)
        return replace(movement, key=key)

    return await kernel.move_described(key, describe)


async def accrue_and_mature_holding(holding_id: int, now: datetime) -> tuple[int, int, bool]:
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
            payout = await _redemption(
                uow, holding, holding.principal + holding.accrued_income, user=None, at_maturity=True
            )
            await kernel.write(uow, payout)
        return accrued.days, accrued.fen, matured
