"""Money back the original way, once a refund is approved. One journal per refund.

- Balance payment: merchant account -> payer's wallet, at once (COMPLETED).
  The merchant account may go below zero here (and only here); that raises an alert.
- Transfer: recipient's available balance -> sender's wallet, at once; a recipient
  without enough available money makes the approval fail with INSUFFICIENT_FUNDS and
  the refund stays pending (the whole database transaction rolls back).
- Bank card / third party: the review is claimed and committed first, then the channel
  is called with no database transaction open, then the journal (merchant -> clearing)
  is written. A card refund arrives the next business day (app/refunds/arrivals.py);
  a third-party payout that succeeds completes at once. A refused payout marks the
  REFUND transaction FAILED (no journal) and puts the refund back in the review queue.
  A payout without an answer stays PROCESSING for the recovery job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models import Account, BankCard, Merchant, Refund, Transaction, User

from .. import audit, clock, crypto
from ..business_days import next_business_day_start
from ..channels import base as channel_base
from ..channels import calls
from ..db import Conn
from ..errors import DomainError, ErrorCode
from ..events.outbox import UnitOfWork, unit_of_work
from ..fx import booking as fx_booking
from ..ledger import journal, kernel
from ..ledger.accounts import MERCHANT, balance_of
from ..ledger.clearing import clearing_account
from ..ledger.events import emit_balance_changed
from ..ledger.finished import finished
from ..ledger.kernel import Movement
from ..ledger.vocabulary import Channel, TransactionStatus, TransactionType
from ..money import format_fen
from ..risk.alerts import merchant_scope, raise_alert
from . import channels, notices
from .states import APPROVED, COMPLETED, PENDING_REVIEW
from .ways import ReturnWay

CHANNEL_OF = {
    ReturnWay.WALLET: Channel.WALLET_BALANCE,
    ReturnWay.TRANSFER: Channel.WALLET_BALANCE,
    ReturnWay.BANK_CARD: Channel.BANK_CARD,
    ReturnWay.THIRD_PARTY: Channel.THIRD_PARTY,
}


class ReviewTaken(DomainError):
    """Someone else reviewed the refund first."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.INVALID_STATE, "该退款申请已审核，不能重复审核", ("input", "refundId"))


async def claim_review(
    conn: Conn, refund: Refund, *, status: str, reviewer_id: int, note: str | None, completed: bool = False
) -> None:
    """Move a pending refund to ``status`` (conditional UPDATE: a second reviewer gets INVALID_STATE)."""
    now = clock.now()
    changes: dict[str, Any] = {
        "status": status,
        "reviewer_id": reviewer_id,
        "review_note": note,
        "reviewed_at": now,
    }
    if completed:
        changes["completed_at"] = now
    changed = await Refund.filter(id=refund.id, status=PENDING_REVIEW).using_db(conn).update(**changes)
    if changed != 1:
        raise ReviewTaken()
    for key, value in changes.items():
        setattr(refund, key, value)


async def _refund_transaction(
    uow: UnitOfWork, refund: Refund, original: Transaction, way: ReturnWay, *, status: str
) -> Transaction:
    """The REFUND transaction row, on the payer's wallet, through the money kernel (its journal
    is posted by the caller: at once within the platform, after the rail answered otherwise)."""
    payer = await Account.get(id=original.account_id, using_db=uow.conn)
    tx, _ = await kernel.write(
        uow,
        Movement(
            type=TransactionType.REFUND,
            account=payer,
            amount=refund.amount,
            status=status,
            channel=CHANNEL_OF[way],
            counterparty_account_id=original.counterparty_account_id,
            counterparty_name=original.counterparty_name,
            counterparty_ref=original.counterparty_ref,
            initiator_name=original.initiator_name,
            initiator_ref=original.initiator_ref,
            description=f"退款 {refund.refund_no}（原交易 {original.transaction_no}）",
            bank_card_id=original.bank_card_id,
            related_transaction_id=original.id,
            reference_id=refund.id,
        ),
    )
    return tx


async def _phone_of(account: Account, conn: Conn) -> str | None:
    if account.user_id is None:
        return None
    user = await User.get(id=account.user_id, using_db=conn)
    return user.phone


async def _announce_wallets(
    uow: UnitOfWork, balances: dict[int, Any], accounts: list[Account], deltas: dict[int, int], tx_id: int
) -> None:
    for account in accounts:
        if account.id in balances:
            await emit_balance_changed(
                uow,
                account,
                balances[account.id],
                deltas[account.id],
                transaction_id=tx_id,
                sms_phone=await _phone_of(account, uow.conn),
            )


async def _alert_if_merchant_negative(account: Account, refund: Refund, tx_id: int) -> None:
    """After commit: a refund that overdraws a merchant account is for staff to chase."""
    if account.kind != MERCHANT:
        return
    balance = await balance_of(account)
    if balance.available >= 0:
        return
    merchant = await Merchant.get_or_none(account_id=account.id)
    await raise_alert(
        "MERCHANT_NEGATIVE_BALANCE",
        "HIGH",
        f"退款 {refund.refund_no} 后商户结算账户余额为 {format_fen(balance.available)} 元",
        scope=merchant_scope(merchant.id) if merchant else None,
        merchant_id=merchant.id if merchant else None,
        transaction_id=tx_id,
        dedupe_key=f"merchant-negative:refund:{refund.id}",
    )


async def return_within_platform(
    refund: Refund, original: Transaction, way: ReturnWay, *, reviewer_id: int, note: str | None, ip: str | None
) -> Refund:
    """Balance payment or transfer: one database transaction, completed at once."""
    payer = await Account.get(id=original.account_id)
    source = await Account.get(id=original.counterparty_account_id)
    async with unit_of_work() as uow:
        await claim_review(uow.conn, refund, status=COMPLETED, reviewer_id=reviewer_id, note=note, completed=True)
        tx = await _refund_transaction(uow, refund, original, way, status=TransactionStatus.SUCCEEDED)
        try:
            quote = await fx_booking.quote_of_payment(original.id, uow.conn)
            legs = (
                await fx_booking.refund_legs(uow.conn, quote, original.id, tx.id, refund.amount, source, payer)
                if quote is not None  # a cross-border payment: back at the original rate
                else [journal.Leg(source, -refund.amount), journal.Leg(payer, refund.amount)]
            )
            balances = await journal.post(
                uow.conn,
                legs,
                transaction_id=tx.id,
                memo=f"refund {refund.refund_no}",
            )
        except DomainError as error:
            if error.code is not ErrorCode.INSUFFICIENT_FUNDS:
                raise
            raise DomainError(
                ErrorCode.INSUFFICIENT_FUNDS,
                "收款方可用余额不足，暂不能退款；退款申请仍待审核",
                ("input", "approve"),
            ) from None
        await Refund.filter(id=refund.id).using_db(uow.conn).update(refund_transaction_id=tx.id)
        refund.refund_transaction_id = tx.id
        await _announce_wallets(
            uow, balances, [payer, source], {payer.id: refund.amount, source.id: -refund.amount}, tx.id
        )
        await notices.completed_at_once(refund, uow.conn)
        if way is ReturnWay.TRANSFER and source.user_id is not None:
            await notices.transfer_returned(refund, original, source.user_id, uow.conn)
        await _audit(refund, reviewer_id, ip, "APPROVED", uow.conn)
    await _alert_if_merchant_negative(source, refund, tx.id)
    return refund


async def _card_number(original: Transaction) -> str | None:
    if original.bank_card_id is None:
        return None
    card = await BankCard.get_or_none(id=original.bank_card_id)
    return crypto.decrypt(card.number_enc) if card else None


async def _pay_out(card_number: str | None, amount: int, reference: str) -> channel_base.ChannelResult:
    """To the card when there is one (bank-card refunds), else through the third-party provider.
    A call that raises or times out answers UNKNOWN (app/channels/calls.py)."""
    if card_number is not None:
        bank = channels.bank()
        return await calls.call(lambda: bank.payout(card_number, amount, reference), reference, "refund payout")
    provider = channels.third_party()
    return await calls.call(lambda: provider.payout(amount, reference), reference, "refund payout")


async def return_through_channel(
    refund: Refund, original: Transaction, way: ReturnWay, *, reviewer_id: int, note: str | None, ip: str | None
) -> Refund:
    """Bank card or third party: claim, call the rail outside any DB transaction, then post.

    A payout without an answer leaves the refund APPROVED and its REFUND transaction
    PROCESSING with nothing posted; the recovery job (app/refunds/recovery.py) asks the
    channel and posts it or puts the refund back in the review queue."""
    card_number = await _card_number(original) if way is ReturnWay.BANK_CARD else None
    if way is ReturnWay.BANK_CARD and card_number is None:
        raise DomainError(
            ErrorCode.CHANNEL_DECLINED, "原支付银行卡已解绑，无法原路退回；退款申请仍待审核", ("input", "approve")
        )
    async with unit_of_work() as uow:
        await claim_review(uow.conn, refund, status=APPROVED, reviewer_id=reviewer_id, note=note)
        tx = await _refund_transaction(uow, refund, original, way, status=TransactionStatus.PROCESSING)
        await Refund.filter(id=refund.id).using_db(uow.conn).update(refund_transaction_id=tx.id)
        refund.refund_transaction_id = tx.id
        await _audit(refund, reviewer_id, ip, "APPROVED", uow.conn)

    result = await _pay_out(card_number, refund.amount, tx.transaction_no)
    if result.status == channel_base.UNKNOWN:
        return await Refund.get(id=refund.id)  # APPROVED, PROCESSING: the recovery job finishes it
    if not await finish_payout(refund, tx, result):
        reason = result.message or result.status
        raise DomainError(
            ErrorCode.CHANNEL_DECLINED,
            f"原路退回失败（{reason}）；退款申请已退回待审核队列",
            ("input", "approve"),
        )
    return await Refund.get(id=refund.id)


async def finish_payout(refund: Refund, tx: Transaction, result: channel_base.ChannelResult) -> bool:
    """Act on the channel's answer about a refund payout (the approval and the recovery job).

    SUCCEEDED or PENDING: the journal (merchant -> clearing) is posted once; a third-party
    payout that succeeded completes at once, others arrive the next business day. Anything
    else: the REFUND transaction fails and the refund awaits review again. Returns False
    only for that refusal. Exactly once: the posting is guarded by a conditional update
    of the still-unposted PROCESSING transaction."""
    if result.status not in (channel_base.SUCCEEDED, channel_base.PENDING):
        await _reopen(refund, tx)
        return False
    way = ReturnWay(tx.channel)
    merchant_account = await Account.get(id=tx.counterparty_account_id)
    clearing = await clearing_account(CHANNEL_OF[way])
    done_now = way is ReturnWay.THIRD_PARTY and result.status == channel_base.SUCCEEDED
    now = clock.now()
    async with unit_of_work() as uow:
        unposted = Transaction.filter(id=tx.id, status=TransactionStatus.PROCESSING, expected_arrival_at__isnull=True)
        arrival = next_business_day_start(now)
        changes: dict[str, Any] = (
            {"status": TransactionStatus.SUCCEEDED, "completed_at": now} if done_now else {"expected_arrival_at": arrival}
        )
        if await unposted.using_db(uow.conn).update(**changes) != 1:
            return True  # another worker posted it already
        await journal.post(
            uow.conn,
            [journal.Leg(merchant_account, -refund.amount), journal.Leg(clearing, refund.amount)],
            transaction_id=tx.id,
            memo=f"refund {refund.refund_no}",
        )
        if done_now:
            await _complete(uow.conn, refund, tx, now)
            await notices.arrived(refund, uow.conn)
        else:
            await notices.on_the_way(refund, arrival, uow.conn)
    await _alert_if_merchant_negative(merchant_account, refund, tx.id)
    return True


async def _complete(conn: Conn, refund: Refund, tx: Transaction, now: datetime) -> None:
    await Transaction.filter(id=tx.id).using_db(conn).update(status=TransactionStatus.SUCCEEDED, completed_at=now)
    await finished(conn, tx.id, TransactionStatus.SUCCEEDED, tx.type)
    await Refund.filter(id=refund.id).using_db(conn).update(status=COMPLETED, completed_at=now)


async def _reopen(refund: Refund, tx: Transaction) -> None:
    """The rail refused: the REFUND row fails (it never posted) and the refund awaits review again."""
    async with unit_of_work() as uow:
        failed = await Transaction.filter(id=tx.id, status=TransactionStatus.PROCESSING, expected_arrival_at__isnull=True).using_db(
            uow.conn
        ).update(status=TransactionStatus.FAILED, completed_at=clock.now())
        if failed != 1:
            return  # finished by someone else meanwhile
        await finished(uow.conn, tx.id, TransactionStatus.FAILED, tx.type)
        await Refund.filter(id=refund.id, status=APPROVED).using_db(uow.conn).update(
            status=PENDING_REVIEW, reviewer_id=None, reviewed_at=None, refund_transaction_id=None
        )
        await audit.record(
            "refund.payout_failed",
            actor_id=refund.reviewer_id,
            subject_user_id=refund.user_id,
            details={"refundNo": refund.refund_no, "transactionNo": tx.transaction_no},
            conn=uow.conn,
        )


async def _audit(refund: Refund, reviewer_id: int, ip: str | None, decision: str, conn: Conn) -> None:
    await audit.record(
        "refund.review",
        actor_id=reviewer_id,
        subject_user_id=refund.user_id,
        ip=ip,
        details={"refundNo": refund.refund_no, "decision": decision, "amount": refund.amount},
        conn=conn,
    )
