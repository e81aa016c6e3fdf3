"""Sending a red packet: the total leaves the sender's available balance at once.

The total is held in the system account RED_PACKET_CLEARING (红包待领取): one journal
wallet -> clearing, written by the money kernel with the payment password checked first, the
risk screen (as a transfer) and the limits under the wallet lock; the packet row and its
shares are written in the same transaction. Each claim moves one share clearing -> claimer;
the expiry job moves what nobody claimed clearing -> sender. The clearing account therefore
always holds the sum of the open packets' unclaimed shares, and every journal balances.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from models import User
from models.red_packets import RedPacket

from .. import clock, runtime
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel
from ..ledger.accounts import system_account, wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..ledger.numbers import new_number
from ..ledger.vocabulary import TransactionType
from ..money import format_fen
from ..payments.transfer import find_recipient
from ..payments.validation import optional_text, positive_amount
from ..risk.check import Outgoing, screen
from .shares import even_shares, random_shares

OPERATION = "red-packet-send"
EVEN = "EVEN"
RANDOM = "RANDOM"
MAX_COUNT = 100
CLEARING = "RED_PACKET_CLEARING"
RISK_OPERATION = "TRANSFER"
"""A red packet is money to other people: the transfer rules (step-up, velocity) apply."""


@dataclass(frozen=True)
class SendRequest:
    amount: int
    """The packet's total, fen."""
    count: int
    mode: str
    """EVEN or RANDOM."""
    payment_password: str
    idempotency_key: str
    recipient: str | None = None
    """Phone or account number of the one person it is for; None: a group link."""
    greeting: str | None = None
    verification_code: str | None = None

    def digest(self) -> str:
        return idempotency.request_hash(
            OPERATION,
            {"amount": self.amount, "count": self.count, "mode": self.mode,
             "recipient": self.recipient, "greeting": self.greeting},
        )


def _shares(request: SendRequest, cap: int) -> list[int]:
    """The shares of the packet; INVALID_AMOUNT when a share would be below 0.01,
    LIMIT_EXCEEDED above the maximum share."""
    if not 1 <= request.count <= MAX_COUNT:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"红包个数须为 1-{MAX_COUNT} 个", input_field("count"))
    if request.mode not in (EVEN, RANDOM):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "红包类型须为 EVEN 或 RANDOM", input_field("mode"))
    amount = positive_amount(request.amount)
    if amount < request.count:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "每个红包至少 0.01 元", input_field("amount"))
    if amount > request.count * cap:
        raise DomainError(
            ErrorCode.LIMIT_EXCEEDED, f"单个红包最多 {format_fen(cap)} 元", input_field("amount")
        )
    if request.mode == EVEN:
        return even_shares(amount, request.count)
    return random_shares(amount, request.count, cap)


async def send_red_packet(sender: User, request: SendRequest) -> tuple[RedPacket, MoneyResult]:
    """Hold the total and create the packet; returns it with the sender's wallet after.

    Errors: VALIDATION_FAILED (count, mode, greeting, recipient), INVALID_AMOUNT, LIMIT_EXCEEDED,
    NOT_FOUND (recipient), the payment password's errors, the risk errors, INSUFFICIENT_FUNDS,
    IDEMPOTENCY_KEY_REUSED. A replay of the key answers the first packet.
    """
    idempotency.validate_key(request.idempotency_key)
    settings = runtime.settings()
    shares = _shares(request, settings.red_packet_max_share_fen)
    greeting = optional_text(request.greeting, 40, "greeting")
    recipient_id: int | None = None
    if request.recipient is not None and request.recipient.strip():
        recipient, _ = await find_recipient(request.recipient)
        if recipient.id == sender.id:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "不能给自己发红包", input_field("recipient"))
        recipient_id = recipient.id
    await verify_payment_password(sender, request.payment_password)

    key = Key(sender.id, request.idempotency_key, OPERATION, request.digest())
    if (first := await kernel.earlier(key)) is not None:
        return await packet_of_send(first), first

    wallet = await wallet_of(sender.id)
    amount = request.amount
    risk = Outgoing(user=sender, wallet_id=wallet.id, amount=amount, operation=RISK_OPERATION,
                    verification_code=request.verification_code)
    rule = await screen(risk)
    clearing = await system_account(CLEARING)

    async def create_packet(uow: UnitOfWork, tx, _balances) -> None:  # noqa: ANN001
        await RedPacket.create(
            packet_no=new_number("R"), sender_id=sender.id, recipient_id=recipient_id, mode=request.mode,
            amount=amount, count=request.count, shares=shares, greeting=greeting,
            send_transaction_id=tx.id,
            expires_at=clock.now() + timedelta(seconds=settings.red_packet_ttl_seconds),
            using_db=uow.conn,
        )

    result = await kernel.move(
        Movement(
            type=TransactionType.RED_PACKET, account=wallet, amount=amount, key=key, risk=risk, allow_rule=rule,
            legs=(Leg(wallet, -amount), Leg(clearing, amount)), memo="red packet sent",
            counterparty_name="红包", description=greeting or "恭喜发财，大吉大利",
            notices=(Notice(wallet, -amount, sms_phone=sender.phone),),
            after=create_packet,
        )
    )
    return await packet_of_send(result), result


async def packet_of_send(result: MoneyResult) -> RedPacket:
    return await RedPacket.get(send_transaction_id=result.transaction.id)
