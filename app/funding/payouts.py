"""Paying out withdrawals.

A due bank-card withdrawal is claimed (PENDING -> PROCESSING, committed) so no
other worker pays it, paid out through the channel with no lock held, then
finished: success posts held -> clearing (net) + fee income (fee); a refusal
releases the hold back to available and marks the withdrawal FAILED. A payout call
that raises or times out leaves the withdrawal PROCESSING with the money on hold; the
recovery job (app/funding/recovery.py) asks the channel and completes or releases it.
The withdrawal's arrival time (``expected_arrival_at``, the next business day for a card)
is the only "settlement" here: the interbank settlement date the payout waits for.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from models import Account, BankCard, Transaction

from ..cards.service import card_number
from ..channels import calls
from ..channels.base import SUCCEEDED, UNKNOWN, ChannelResult
from ..channels.registry import bank_channel, third_party_channel
from ..events.outbox import unit_of_work
from ..ledger import journal
from ..ledger.accounts import system_account
from ..ledger.clearing import clearing_account
from ..ledger.processing import mark_started
from ..ledger.vocabulary import Channel, TransactionStatus, TransactionType
from ..money import format_fen
from .transitions import transition
from .wallet_events import announce

BATCH = 200
PAID = TransactionStatus.SUCCEEDED
RELEASED = TransactionStatus.FAILED


async def _call_channel(tx: Transaction) -> ChannelResult:
    net = tx.amount - tx.fee
    if tx.channel == Channel.THIRD_PARTY:
        return await third_party_channel().payout(net, tx.transaction_no)
    card = await BankCard.get_or_none(id=tx.bank_card_id) if tx.bank_card_id else None
    if card is None:
        return ChannelResult("FAILED", tx.transaction_no, message="收款银行卡已不存在")
    return await bank_channel().payout(card_number(card), net, tx.transaction_no)


async def complete_payout(tx: Transaction) -> None:
    """The payout arrived: held -> clearing (net) + fee income, once (a no-op if no longer PROCESSING)."""
    async with unit_of_work() as uow:
        if not await transition(uow.conn, tx.id, (TransactionStatus.PROCESSING,), TransactionStatus.SUCCEEDED):
            return
        wallet = await Account.get(id=tx.account_id, using_db=uow.conn)
        legs = [
            journal.Leg(wallet, -tx.amount, journal.HELD),
            journal.Leg(await clearing_account(tx.channel), tx.amount - tx.fee),
        ]
        if tx.fee:
            legs.append(journal.Leg(await system_account("FEE_INCOME"), tx.fee))
        balances = await journal.post(uow.conn, legs, transaction_id=tx.id, memo="withdrawal payout")
        await announce(
            uow, wallet, balances[wallet.id], 0, tx,
            sms_text=(
                f"【fenpay】您提现的 {format_fen(tx.amount)} 元已到账 {format_fen(tx.amount - tx.fee)} 元"
                f"（手续费 {format_fen(tx.fee)} 元）。"
            ),
        )


async def release(tx: Transaction, reason: str) -> None:
    """The payout was refused (or never made): the hold goes back to available, once."""
    async with unit_of_work() as uow:
        if not await transition(uow.conn, tx.id, (TransactionStatus.PROCESSING,), TransactionStatus.FAILED):
            return
        wallet = await Account.get(id=tx.account_id, using_db=uow.conn)
        balances = await journal.post(
            uow.conn,
            [journal.Leg(wallet, -tx.amount, journal.HELD), journal.Leg(wallet, tx.amount, journal.AVAILABLE)],
            kind=journal.RELEASE,
            transaction_id=tx.id,
            memo="withdrawal failed",
        )
        balance = balances[wallet.id]
        await Transaction.filter(id=tx.id).using_db(uow.conn).update(
            description=f"{tx.description or '提现'}（失败：{reason}）"[:255]
        )
        await announce(
            uow, wallet, balance, tx.amount, tx,
            sms_text=(
                f"【fenpay】您提现的 {format_fen(tx.amount)} 元未能到账（{reason}），资金已退回余额，"
                f"可用余额 {format_fen(balance.available)} 元。"
            ),
        )


async def pay_out(transaction_id: int) -> str:
    """Pay out one PROCESSING withdrawal and finish it: ``PAID``, ``RELEASED``, or ``UNKNOWN``
    (no answer from the channel: still PROCESSING, money on hold, left to the recovery job)."""
    tx = await Transaction.get(id=transaction_id)
    if tx.status != TransactionStatus.PROCESSING:
        return UNKNOWN
    result = await calls.call(lambda: _call_channel(tx), tx.transaction_no, "withdrawal payout")
    if result.status == UNKNOWN:
        return UNKNOWN
    if result.status == SUCCEEDED:
        await complete_payout(tx)
        return PAID
    await release(tx, result.message or "渠道退回")
    return RELEASED


async def pay_out_due_withdrawals(now: datetime) -> tuple[int, int]:
    """Pay out every bank-card withdrawal whose arrival time has come; (paid, failed).
    One without an answer from the bank stays PROCESSING (counted in neither)."""
    due = cast("list[int]", await Transaction.filter(
        type=TransactionType.WITHDRAWAL, status=TransactionStatus.PENDING, expected_arrival_at__lte=now
    ).order_by("id").limit(BATCH).values_list("id", flat=True))
    paid = failed = 0
    for transaction_id in due:
        async with unit_of_work() as uow:
            claimed = await transition(uow.conn, transaction_id, (TransactionStatus.PENDING,), TransactionStatus.PROCESSING)
            if claimed:
                await mark_started(uow.conn, transaction_id)
        if not claimed:
            continue  # another worker took it
        outcome = await pay_out(transaction_id)
        if outcome == PAID:
            paid += 1
        elif outcome == RELEASED:
            failed += 1
    return paid, failed
