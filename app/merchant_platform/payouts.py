"""Payouts: a merchant account's balance to a bank card bound by the merchant's owner.

``request_payout`` (owner only): real-name VERIFIED as for withdrawals, payment password,
idempotency key, a card the owner bound, an amount within the merchant account's
available balance (read under the account's row lock). In one database transaction it
claims the key, writes the PAYOUT transaction (PENDING, arriving 09:00 China time on the
next Chinese business day), the HOLD journal (available -> held) and the payout row.

``pay_out_due_payouts`` (job): a due payout is claimed (PENDING -> PROCESSING, committed),
paid out through the bank channel with no lock held, then finished: success posts
held -> BANK_CLEARING and sends PAYOUT_PAID; a refusal releases the hold and sends
PAYOUT_FAILED. A call that times out or raises leaves the payout PROCESSING, held; the
rail-recovery job asks the bank (``query``) and finishes it the same way (recovery.py).
Payouts carry no fee (``fee`` is 0): the merchant already paid its fee on each order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from models import Account, BankCard, Merchant, Transaction, User
from models.merchant_platform_money import Payout

from .. import audit, clock, db
from ..business_days import next_business_day_start
from ..cards.service import card_number, owned_card
from ..channels import calls
from ..channels.base import NOT_FOUND, SUCCEEDED, ChannelResult
from ..channels.registry import bank_channel
from ..db import Conn
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..funding.transitions import transition
from ..fx.booking import require_cny_merchant
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, journal, kernel, sql
from ..ledger.accounts import system_account
from ..ledger.processing import mark_started
from ..ledger.vocabulary import Channel, TransactionStatus, TransactionType
from ..money import format_fen
from ..movement_bounds import require_within_movement_maximum
from .events import PAYOUT_FAILED, PAYOUT_PAID, record_merchant_event

OPERATION = "MERCHANT_PAYOUT"
PAYOUT = TransactionType.PAYOUT
PROCESSING = "PROCESSING"
PAID = "PAID"
FAILED = "FAILED"
BATCH = 200


@dataclass(frozen=True)
class PayoutRequest:
    amount: int
    bank_card_id: int | None
    payment_password: str
    idempotency_key: str


def payout_object(payout: Payout, tx: Transaction, merchant: Merchant) -> dict[str, Any]:
    """The ``payout`` object of PAYOUT_PAID/PAYOUT_FAILED event bodies (amounts as Money strings)."""
    return {
        "payout": {
            "merchantNo": merchant.merchant_no,
            "payoutId": str(payout.id),
            "transactionNo": tx.transaction_no,
            "amount": format_fen(payout.amount),
            "fee": format_fen(payout.fee),
            "status": payout.status,
            "bankCard": tx.counterparty_ref,
            "paidAt": payout.paid_at.isoformat() if payout.paid_at else None,
            "failureReason": payout.failure_reason,
        }
    }


async def _lock_merchant_account(conn: Conn, merchant: Merchant) -> int:
    """Lock the merchant's row and return its merchant account's available balance (fen).

    Everything that takes money out of a merchant account (payouts, merchant refunds) takes
    this same lock first (``SELECT ... FROM merchants ... FOR UPDATE``), so two of them never
    both spend one balance (SQLite serializes writers anyway)."""
    if conn.capabilities.dialect == "postgres":
        await sql.fetch(conn, "SELECT id FROM merchants WHERE id = ? FOR UPDATE", merchant.id)
    rows = await sql.fetch(
        conn,
        "SELECT COALESCE(SUM(amount), 0) AS total FROM postings WHERE account_id = ? AND bucket = 'AVAILABLE'",
        merchant.account_id,
    )
    return int(rows[0]["total"])


def _require_amount(amount: int) -> None:
    if not isinstance(amount, int) or amount <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "提款金额必须大于 0", input_field("amount"))
    require_within_movement_maximum(amount, input_field("amount"))


async def request_payout(owner: User, merchant: Merchant, request: PayoutRequest, *, ip: str | None = None) -> Payout:
    """The payout (new, or the first result of the same idempotency key). Errors: INVALID_AMOUNT, AMOUNT_TOO_LARGE,
    ACCOUNT_FROZEN (owner frozen by risk staff), REAL_NAME_REQUIRED, NOT_FOUND (card), payment password errors, IDEMPOTENCY_KEY_REUSED,
    INSUFFICIENT_FUNDS (the merchant account's available below the amount)."""
    _require_amount(request.amount)
    await require_cny_merchant(merchant, "提款到银行卡", input_field("amount"))
    fresh = await User.get(id=owner.id)
    if fresh.id != merchant.owner_id:
        raise DomainError(ErrorCode.NOT_FOUND, "商户不存在", input_field("merchantNo"))
    if fresh.status in ("FROZEN", "ABNORMAL"):
        raise DomainError(ErrorCode.ACCOUNT_FROZEN, "账户已冻结，暂不能提款", None)
    if fresh.real_name_status != "VERIFIED":
        raise DomainError(ErrorCode.REAL_NAME_REQUIRED, "提款前请先完成实名认证", input_field("amount"))
    card = await owned_card(fresh.id, request.bank_card_id)
    digest = idempotency.request_hash(
        OPERATION, {"merchantId": merchant.id, "amount": request.amount, "bankCardId": card.id}
    )
    key = kernel.Key(fresh.id, request.idempotency_key, OPERATION, digest)
    if (first := await kernel.earlier(key)) is not None:
        return await Payout.get(transaction_id=first.transaction.id)
    await verify_payment_password(fresh, request.payment_password)

    async def describe(uow: UnitOfWork) -> kernel.Movement:
        account = await Account.get(id=merchant.account_id, using_db=uow.conn)
        available = await _lock_merchant_account(uow.conn, merchant)
        if available < request.amount:
            raise DomainError(ErrorCode.INSUFFICIENT_FUNDS, "可提款余额不足", input_field("amount"))
        return _movement(key, merchant, account, card, request.amount, owner_id=fresh.id, ip=ip)

    result = await kernel.move_described(key, describe)
    return await Payout.get(transaction_id=result.transaction.id)


def _movement(
    key: kernel.Key, merchant: Merchant, account: Account, card: BankCard, amount: int, *, owner_id: int,
    ip: str | None,
) -> kernel.Movement:
    """A payout request as a kernel movement: the PAYOUT transaction (PENDING until the arrival
    day), its HOLD journal (available -> held of the merchant account) and the payout row."""
    now = clock.now()
    arrival = next_business_day_start(now)

    async def after(uow: UnitOfWork, tx: Transaction, _balances: dict[int, Any]) -> None:
        payout = await Payout.create(
            merchant_id=merchant.id, transaction_id=tx.id, bank_card_id=card.id, amount=amount, fee=0,
            status=PROCESSING, expected_arrival_at=arrival, created_at=now, using_db=uow.conn,
        )
        await audit.record(
            "MERCHANT_PAYOUT_REQUESTED", actor_id=owner_id, ip=ip, conn=uow.conn,
            details={"merchantNo": merchant.merchant_no, "payoutId": payout.id, "amount": amount},
        )

    return kernel.Movement(
        type=PAYOUT, account=account, amount=amount, key=key, status=TransactionStatus.PENDING, channel=Channel.BANK_CARD, fee=0,
        legs=(journal.Leg(account, -amount, journal.AVAILABLE), journal.Leg(account, amount, journal.HELD)),
        journal_kind=journal.HOLD, memo="payout hold",
        counterparty_name=card.bank_name, counterparty_ref=card.masked_number, bank_card_id=card.id,
        expected_arrival_at=arrival, description=f"商户提款到{card.bank_name}（尾号{card.last4}）",
        after=after,
    )


async def _finish(payout_id: int, *, paid: bool, reason: str | None = None) -> bool:
    """Post (paid) or release (failed) the held amount and send the event; False if already finished."""
    async with db.atomic() as conn:
        payout = await Payout.get(id=payout_id, using_db=conn)
        outcome = TransactionStatus.SUCCEEDED if paid else TransactionStatus.FAILED
        if not await transition(conn, payout.transaction_id, (TransactionStatus.PROCESSING,), outcome):
            return False
        tx = await Transaction.get(id=payout.transaction_id, using_db=conn)
        account = await Account.get(id=tx.account_id, using_db=conn)
        now = clock.now()
        if paid:
            legs = [journal.Leg(account, -tx.amount, journal.HELD),
                    journal.Leg(await system_account("BANK_CLEARING"), tx.amount)]
            await journal.post(conn, legs, transaction_id=tx.id, memo="payout paid")
            payout.status, payout.paid_at = PAID, now
        else:
            legs = [journal.Leg(account, -tx.amount, journal.HELD), journal.Leg(account, tx.amount, journal.AVAILABLE)]
            await journal.post(conn, legs, kind=journal.RELEASE, transaction_id=tx.id, memo="payout failed")
            payout.status, payout.failure_reason = FAILED, (reason or "银行退回")[:200]
        await payout.save(using_db=conn, update_fields=["status", "paid_at", "failure_reason"])
        merchant = await Merchant.get(id=payout.merchant_id, using_db=conn)
        await record_merchant_event(
            conn, merchant_id=merchant.id, event_type=PAYOUT_PAID if paid else PAYOUT_FAILED,
            data=payout_object(payout, tx, merchant),
        )
    return True


# What a channel answer means for a payout: SUCCEEDED posts it; these release it.
REFUSED = frozenset({"DECLINED", "INSUFFICIENT_FUNDS", "FAILED", NOT_FOUND})


async def conclude(payout_id: int, result: ChannelResult) -> bool | None:
    """Finish the payout from the channel's answer: True paid, False released, None still unknown
    (UNKNOWN/PENDING: the money stays held; the rail-recovery job asks the channel later)."""
    if result.status == SUCCEEDED:
        return True if await _finish(payout_id, paid=True) else None
    if result.status in REFUSED:
        reason = "银行未收到付款指令" if result.status == NOT_FOUND else (result.message or "银行退回")
        return False if await _finish(payout_id, paid=False, reason=reason) else None
    return None


async def pay_out(payout_id: int) -> bool | None:
    """Send one PROCESSING payout through the bank (with the channel timeout); see ``conclude``."""
    payout = await Payout.get(id=payout_id)
    tx = await Transaction.get(id=payout.transaction_id)
    if tx.status != TransactionStatus.PROCESSING:
        return None
    card = await BankCard.get_or_none(id=payout.bank_card_id)
    if card is None:
        return False if await _finish(payout_id, paid=False, reason="收款银行卡已解绑") else None
    number = card_number(card)

    def send():  # noqa: ANN202 - the channel call, made by calls.call
        return bank_channel().payout(number, tx.amount - tx.fee, tx.transaction_no)

    return await conclude(payout_id, await calls.call(send, tx.transaction_no, "merchant payout"))


async def pay_out_due_payouts(now: datetime) -> tuple[int, int]:
    """Pay out every payout whose arrival time has come; (paid, failed). A payout whose call got
    no answer stays PROCESSING for the rail-recovery job (``app/merchant_platform/recovery.py``)."""
    due = cast("list[int]", await Transaction.filter(
        type=PAYOUT, status=TransactionStatus.PENDING, expected_arrival_at__lte=now
    ).order_by("id").limit(BATCH).values_list("id", flat=True))
    paid = failed = 0
    for transaction_id in due:
        async with db.atomic() as conn:
            if not await transition(conn, transaction_id, (TransactionStatus.PENDING,), TransactionStatus.PROCESSING):
                continue  # another worker took it
            await mark_started(conn, transaction_id)
        payout = await Payout.get(transaction_id=transaction_id)
        outcome = await pay_out(payout.id)
        paid += outcome is True
        failed += outcome is False
    return paid, failed


async def payouts_of(merchant_id: int) -> Any:
    """Queryset of the merchant's payouts (for pagination)."""
    return Payout.filter(merchant_id=merchant_id)
