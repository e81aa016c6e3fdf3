"""Paying out withdrawals.

A due bank-card withdrawal is claimed (PENDING -> PROCESSING, committed) so no
other worker pays it, paid out through the channel with no lock held, then
finished: success posts frozen -> clearing (net) + fee income (fee); a refusal
releases the hold back to available and marks the withdrawal FAILED.
"""

from __future__ import annotations

from datetime import datetime

from models import Account, BankCard, Transaction

from ..channels.base import SUCCEEDED, ChannelResult
from ..channels.registry import bank_channel, third_party_channel
from ..cards.service import card_number
from ..events.outbox import unit_of_work
from ..ledger import journal
from ..ledger.accounts import system_account
from ..ledger.clearing import clearing_account
from ..money import format_fen
from .transitions import transition
from .wallet_events import announce

BATCH = 200


async def _call_channel(tx: Transaction) -> ChannelResult:
    net = tx.amount - tx.fee
    if tx.channel == "THIRD_PARTY":
        return await third_party_channel().payout(net, tx.transaction_no)
    card = await BankCard.get_or_none(id=tx.bank_card_id) if tx.bank_card_id else None
    if card is None:
        return ChannelResult("FAILED", tx.transaction_no, message="收款银行卡已不存在")
    return await bank_channel().payout(card_number(card), net, tx.transaction_no)


async def _settle(tx: Transaction) -> None:
    async with unit_of_work() as uow:
        if not await transition(uow.conn, tx.id, ("PROCESSING",), "SUCCEEDED"):
            return
        wallet = await Account.get(id=tx.account_id, using_db=uow.conn)
        legs = [
            journal.Leg(wallet, -tx.amount, journal.FROZEN),
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


async def _release(tx: Transaction, reason: str) -> None:
    async with unit_of_work() as uow:
        if not await transition(uow.conn, tx.id, ("PROCESSING",), "FAILED"):
            return
        wallet = await Account.get(id=tx.account_id, using_db=uow.conn)
        balances = await journal.post(
            uow.conn,
            [journal.Leg(wallet, -tx.amount, journal.FROZEN), journal.Leg(wallet, tx.amount, journal.AVAILABLE)],
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


async def pay_out(transaction_id: int) -> bool:
    """Pay out one PROCESSING withdrawal and finish it; True when the money arrived."""
    tx = await Transaction.get(id=transaction_id)
    if tx.status != "PROCESSING":
        return False
    result = await _call_channel(tx)
    if result.status == SUCCEEDED:
        await _settle(tx)
        return True
    await _release(tx, result.message or "渠道退回")
    return False


async def settle_due_withdrawals(now: datetime) -> tuple[int, int]:
    """Pay out every bank-card withdrawal whose arrival time has come; (paid, failed)."""
    due = await Transaction.filter(
        type="WITHDRAWAL", status="PENDING", expected_arrival_at__lte=now
    ).order_by("id").limit(BATCH).values_list("id", flat=True)
    paid = failed = 0
    for transaction_id in due:
        async with unit_of_work() as uow:
            claimed = await transition(uow.conn, transaction_id, ("PENDING",), "PROCESSING")
        if not claimed:
            continue  # another worker took it
        if await pay_out(transaction_id):
            paid += 1
        else:
            failed += 1
    return paid, failed
