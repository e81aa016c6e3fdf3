"""Withdrawals (seed 3.3.2, 6.2, 6.3): real-name VERIFIED, whole yuan, at least 50.00,
payment password, the risk check, enough available money.

The amount moves from available to held at once (a HOLD journal). A bank-card
withdrawal stays PENDING until the payout job pays it out on the next
business day; a third-party withdrawal is paid out right away (a payout without an
answer stays PROCESSING, held once, until the recovery job learns the outcome). The fee comes out
of the amount: the user receives ``amount - fee``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from models import BankCard, Transaction, User

from .. import audit
from ..cards.service import owned_card
from ..channels.registry import third_party_channel
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, journal, kernel
from ..ledger.accounts import Balance, wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..ledger.vocabulary import Channel, TransactionStatus
from ..money import format_fen
from ..risk.check import Outgoing, screen
from .payouts import RELEASED, pay_out
from .quotes import require_withdrawal_channel, withdrawal_quote

OPERATION = "WITHDRAWAL"


@dataclass(frozen=True)
class WithdrawalRequest:
    """A ``withdraw``: ``amount`` in fen, the ``channel`` (BANK_CARD with ``bank_card_id``, or
    THIRD_PARTY), the payment password and the caller's idempotency key."""

    amount: int
    channel: str
    payment_password: str
    idempotency_key: str
    bank_card_id: int | None = None

    def digest(self) -> str:
        """The request hash an idempotency key is bound to (the password is not part of it)."""
        return idempotency.request_hash(
            OPERATION, {"amount": self.amount, "channel": self.channel, "bankCardId": self.bank_card_id}
        )


async def withdraw(user: User, request: WithdrawalRequest, *, ip: str | None = None) -> MoneyResult:
    """Freeze ``amount`` on ``user``'s wallet for a payout, the fee coming out of it (see the module docstring).

    Raises DomainError for a bad amount or channel, no verified real name, a card that is not the
    user's, a wrong payment password, a reused idempotency key, a risk refusal or too little money."""
    amount, channel = request.amount, request.channel
    require_withdrawal_channel(channel)
    quote = withdrawal_quote(amount, channel)
    fresh = await User.get(id=user.id)
    if fresh.real_name_status != "VERIFIED":
        raise DomainError(ErrorCode.REAL_NAME_REQUIRED, "提现前请先完成实名认证", input_field("amount"))
    card: BankCard | None = None
    if channel == Channel.BANK_CARD:
        if request.bank_card_id is None:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "请选择提现到账的银行卡", input_field("bankCardId"))
        card = await owned_card(fresh.id, request.bank_card_id)
    key = Key(fresh.id, request.idempotency_key, OPERATION, request.digest())
    await verify_payment_password(fresh, request.payment_password)
    if (first := await kernel.earlier(key)) is not None:
        return first
    wallet = await wallet_of(fresh.id)
    if channel == Channel.THIRD_PARTY:
        third_party_channel()  # no channel configured: refused before anything is held
    risk = Outgoing(user=fresh, wallet_id=wallet.id, amount=amount, operation="WITHDRAW")
    rule = await screen(risk)

    async def audit_request(uow: UnitOfWork, tx: Transaction, _balances: object) -> None:
        await audit.record(
            "WITHDRAWAL_REQUESTED", actor_id=fresh.id, ip=ip, conn=uow.conn,
            details={"transactionNo": tx.transaction_no, "amount": amount, "fee": quote.fee, "channel": channel},
        )

    def sms(balance: Balance) -> str:
        return (
            f"【fenpay】您申请提现 {format_fen(amount)} 元（手续费 {format_fen(quote.fee)} 元），"
            f"资金已冻结，可用余额 {format_fen(balance.available)} 元。"
        )

    hold = Movement(
        type=OPERATION, account=wallet, amount=amount, fee=quote.fee, channel=channel, key=key,
        risk=risk, allow_rule=rule, status=TransactionStatus.PROCESSING,
        legs=(Leg(wallet, -amount, journal.AVAILABLE), Leg(wallet, amount, journal.HELD)),
        journal_kind=journal.HOLD, memo="withdrawal hold",
        counterparty_name="第三方支付账户", description="提现到第三方支付账户",
        notices=(Notice(wallet, -amount, sms_phone=fresh.phone, sms_text=sms),),
        after=audit_request,
    )
    if card is not None:  # paid out by the payout job on the next business day
        hold = replace(
            hold, status=TransactionStatus.PENDING, counterparty_name=card.bank_name, counterparty_ref=card.masked_number,
            bank_card_id=card.id, expected_arrival_at=quote.expected_arrival_at,
            description=f"提现到{card.bank_name}（尾号{card.last4}）",
        )
    started = await kernel.move(hold)
    if started.replayed:
        return started
    if channel == Channel.THIRD_PARTY and await pay_out(started.transaction.id) == RELEASED:
        # The payout was refused and the hold released (the transaction is FAILED already).
        await kernel.fail(
            key, started.transaction.id, (),
            DomainError(ErrorCode.CHANNEL_DECLINED, "提现失败：第三方支付账户未能收款，资金已退回余额", input_field("channel")),
        )
    return await kernel.current(started.transaction.id, wallet.id)
