"""Withdrawals (seed 3.3.2, 6.2, 6.3): real-name VERIFIED, whole yuan, at least 50.00,
payment password, the risk check, enough available money.

The amount moves from available to frozen at once (a HOLD journal). A bank-card
withdrawal stays PENDING until the settlement job pays it out on the next
business day; a third-party withdrawal is paid out right away (a payout without an
answer stays PROCESSING, frozen once, until the recovery job learns the outcome). The fee comes out
of the amount: the user receives ``amount - fee``.
"""

from __future__ import annotations

from models import BankCard, Transaction, User

from .. import audit
from ..cards.service import owned_card
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..identity.payment_password import verify_payment_password
from ..ledger import journal
from ..ledger.accounts import wallet_of
from ..ledger.numbers import new_number
from ..money import format_fen
from ..risk.check import Outgoing, check_outgoing
from . import operations
from .operations import MoneyResult
from .quotes import require_withdrawal_channel, withdrawal_quote
from ..channels.registry import third_party_channel
from .settlement import RELEASED, pay_out
from .wallet_events import announce

OPERATION = "WITHDRAWAL"


async def withdraw(
    user: User,
    *,
    amount: int,
    channel: str,
    bank_card_id: int | None,
    payment_password: str,
    idempotency_key: str,
    ip: str | None = None,
) -> MoneyResult:
    require_withdrawal_channel(channel)
    quote = withdrawal_quote(amount, channel)
    fresh = await User.get(id=user.id)
    if fresh.real_name_status != "VERIFIED":
        raise DomainError(ErrorCode.REAL_NAME_REQUIRED, "提现前请先完成实名认证", input_field("amount"))
    card: BankCard | None = None
    if channel == "BANK_CARD":
        if bank_card_id is None:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "请选择提现到账的银行卡", input_field("bankCardId"))
        card = await owned_card(fresh.id, bank_card_id)
    digest = operations.request_digest(
        OPERATION, {"amount": amount, "channel": channel, "bankCardId": bank_card_id}
    )
    await verify_payment_password(fresh, payment_password)
    earlier = await operations.earlier_result(fresh, idempotency_key, OPERATION, digest)
    if earlier is not None:
        return earlier
    wallet = await wallet_of(fresh.id)
    if channel == "THIRD_PARTY":
        third_party_channel()  # no channel configured: refused before anything is frozen
    await check_outgoing(Outgoing(user=fresh, wallet_id=wallet.id, amount=amount, operation="WITHDRAW"))

    async def create(uow: UnitOfWork) -> Transaction:
        if card is not None:
            target = dict(
                status="PENDING", counterparty_name=card.bank_name, counterparty_ref=card.masked_number,
                bank_card_id=card.id, expected_arrival_at=quote.expected_arrival_at,
                description=f"提现到{card.bank_name}（尾号{card.last4}）",
            )
        else:
            target = dict(status="PROCESSING", counterparty_name="第三方支付账户", description="提现到第三方支付账户")
        tx = await Transaction.create(
            transaction_no=new_number("T"), type=OPERATION, channel=channel, amount=amount, fee=quote.fee,
            account_id=wallet.id, using_db=uow.conn, **target,
        )
        balances = await journal.post(
            uow.conn,
            [journal.Leg(wallet, -amount, journal.AVAILABLE), journal.Leg(wallet, amount, journal.FROZEN)],
            kind=journal.HOLD,
            transaction_id=tx.id,
            memo="withdrawal hold",
        )
        balance = balances[wallet.id]
        await audit.record(
            "WITHDRAWAL_REQUESTED", actor_id=fresh.id, ip=ip, conn=uow.conn,
            details={"transactionNo": tx.transaction_no, "amount": amount, "fee": quote.fee, "channel": channel},
        )
        await announce(
            uow, wallet, balance, -amount, tx,
            sms_text=(
                f"【fenpay】您申请提现 {format_fen(amount)} 元（手续费 {format_fen(quote.fee)} 元），"
                f"资金已冻结，可用余额 {format_fen(balance.available)} 元。"
            ),
        )
        return tx

    started = await operations.begin(fresh, idempotency_key, OPERATION, digest, create)
    if started.replay is not None:
        return await operations.replay(fresh, started.replay)
    assert started.transaction is not None
    if channel == "THIRD_PARTY" and await pay_out(started.transaction.id) == RELEASED:
        # The payout was refused and the hold released (the transaction is FAILED already).
        await operations.fail(
            started, (),
            DomainError(ErrorCode.CHANNEL_DECLINED, "提现失败：第三方支付账户未能收款，资金已退回余额", input_field("channel")),
        )
    return await operations.finished(fresh, started.transaction)
