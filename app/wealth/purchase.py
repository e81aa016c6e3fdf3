"""Buying a wealth product (seed 7.2): checks, then one journal wallet -> WEALTH_CUSTODY."""

from __future__ import annotations

from dataclasses import dataclass, replace

from models import Transaction, User
from models.wealth import Holding, WealthProduct

from .. import audit, clock
from ..business_days import china_date
from ..db import Conn
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel
from ..ledger.accounts import wallet_of
from ..ledger.kernel import Key, MoneyResult, Notice
from ..money import format_fen
from ..movement_bounds import require_within_movement_maximum
from ..risk.check import Outgoing, screen
from .bookings import purchase_movement
from .catalogue import ON_SALE
from .holdings import HOLDING, term_dates
from .suitability import may_buy

OPERATION = "WEALTH_PURCHASE"


@dataclass(frozen=True)
class PurchaseRequest:
    product_id: int | None
    amount: int
    payment_password: str
    accept_risk_disclosure: bool
    idempotency_key: str
    verification_code: str | None = None


async def _on_sale_product(product_id: int | None, conn: Conn | None = None) -> WealthProduct:
    product = await WealthProduct.get_or_none(id=product_id, using_db=conn) if product_id is not None else None
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "理财产品不存在", input_field("productId"))
    if product.status != ON_SALE:
        raise DomainError(ErrorCode.PRODUCT_NOT_ON_SALE, "该产品当前不可购买", input_field("productId"))
    return product


async def _check_rules(user: User, request: PurchaseRequest) -> WealthProduct:
    """The purchase rules, in the order the user meets them (no money has moved)."""
    if user.real_name_status != "VERIFIED":
        raise DomainError(ErrorCode.REAL_NAME_REQUIRED, "购买理财产品前请先完成实名认证")
    product = await _on_sale_product(request.product_id)
    if request.amount <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "购买金额须大于 0", input_field("amount"))
    require_within_movement_maximum(request.amount, input_field("amount"))
    if request.amount < product.min_purchase:
        raise DomainError(
            ErrorCode.AMOUNT_BELOW_MINIMUM,
            f"该产品起购金额为 {format_fen(product.min_purchase)} 元",
            input_field("amount"),
        )
    if not request.accept_risk_disclosure:
        raise DomainError(
            ErrorCode.RISK_DISCLOSURE_NOT_ACCEPTED, "请阅读并确认产品风险揭示书", input_field("acceptRiskDisclosure")
        )
    tolerance = (await User.get(id=user.id)).risk_tolerance
    if not may_buy(tolerance, product.risk_level):
        message = (
            "请先完成风险承受能力评估"
            if tolerance is None
            else f"您的风险承受能力为 {tolerance}，不能购买 {product.risk_level} 级产品"
        )
        raise DomainError(ErrorCode.RISK_TOLERANCE_TOO_LOW, message, input_field("productId"))
    return product


async def purchase(user: User, request: PurchaseRequest, *, ip: str | None = None) -> MoneyResult:
    """Buy: the transaction's ``reference_id`` is the new holding's id."""
    idempotency.validate_key(request.idempotency_key)
    digest = idempotency.request_hash(
        OPERATION,
        {
            "productId": request.product_id,
            "amount": request.amount,
            "acceptRiskDisclosure": request.accept_risk_disclosure,
        },
    )
    key = Key(user.id, request.idempotency_key, OPERATION, digest)
    # A replay answers the first result even when the rules would now say no (sold out).
    first = await kernel.earlier(key)
    if first is None:
        product = await _check_rules(user, request)
    await verify_payment_password(user, request.payment_password)
    if first is not None:
        return first

    wallet = await wallet_of(user.id)
    risk = Outgoing(
        user=user,
        wallet_id=wallet.id,
        amount=request.amount,
        operation=OPERATION,
        verification_code=request.verification_code,
    )
    rule = await screen(risk)

    async def open_holding(uow: UnitOfWork, tx: Transaction, _balances: object) -> None:
        # Read again inside the transaction: the product may have closed meanwhile.
        fresh = await _on_sale_product(request.product_id, uow.conn)
        now = clock.now()
        last_income_date, matures_at = term_dates(now, fresh.term_days)
        holding = await Holding.create(
            user_id=user.id,
            product_id=fresh.id,
            account_id=wallet.id,
            rate_bp=fresh.expected_return_bp,
            principal=request.amount,
            status=HOLDING,
            purchased_at=now,
            accrued_through=china_date(now),
            last_income_date=last_income_date,
            matures_at=matures_at,
            purchase_transaction_id=tx.id,
            using_db=uow.conn,
        )
        tx.reference_id = holding.id
        await tx.save(update_fields=["reference_id"], using_db=uow.conn)
        await audit.record(
            "WEALTH_PURCHASE",
            actor_id=user.id,
            ip=ip,
            details={"holdingId": holding.id, "productId": fresh.id, "amount": request.amount},
            conn=uow.conn,
        )

    movement = await purchase_movement(wallet, product, request.amount)
    return await kernel.move(
        replace(
            movement, key=key, risk=risk, allow_rule=rule, after=open_holding,
            notices=(Notice(wallet, -request.amount, sms_phone=user.phone),),
        )
    )
