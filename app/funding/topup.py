"""Top-ups (seed 3.3.1, 6.1): whole yuan, at least 10.00.

- BANK_CARD: the sandbox (or real) bank is charged with no lock held, then the
  journal is posted; a refusal is CHANNEL_DECLINED and nothing moves. A charge that
  raises or times out leaves the top-up PROCESSING (the answer says so); the recovery
  job asks the bank later (app/funding/recovery.py) and credits or fails it.
- THIRD_PARTY: PENDING with a checkout URL until the provider's signed webhook.
- OFFLINE: PENDING with a deposit reference in the description until the bank's
  signed deposit notice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from models import Account, BankCard, Transaction, User

from ..cards.service import card_number, owned_card
from ..channels import calls
from ..channels.base import PENDING, SUCCEEDED, UNKNOWN, BankChannel, ThirdPartyChannel
from ..channels.registry import bank_channel, third_party_channel
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork, unit_of_work
from ..ledger import idempotency, journal, kernel
from ..ledger.accounts import wallet_of
from ..ledger.clearing import clearing_account
from ..ledger.kernel import Key, MoneyResult, Movement
from ..ledger.numbers import new_number
from ..ledger.vocabulary import Channel, TransactionStatus
from ..money import format_fen
from .amounts import TOP_UP_MINIMUM, require_whole_yuan
from .transitions import transition
from .wallet_events import announce

OPERATION = "TOP_UP"
TOP_UP_CHANNELS = (Channel.BANK_CARD, Channel.THIRD_PARTY, Channel.OFFLINE)


def deposit_reference() -> str:
    """What the payer writes in the remittance note so the bank's notice finds the top-up."""
    return f"FP{secrets.randbelow(10**10):010d}"


async def credit(uow: UnitOfWork, transaction_id: int, from_statuses: tuple[str, ...]) -> bool:
    """Complete a top-up: clearing -> wallet, once. False when it was no longer in ``from_statuses``."""
    if not await transition(uow.conn, transaction_id, from_statuses, TransactionStatus.SUCCEEDED):
        return False
    tx = await Transaction.get(id=transaction_id, using_db=uow.conn)
    wallet = await Account.get(id=tx.account_id, using_db=uow.conn)
    clearing = await clearing_account(tx.channel)
    balances = await journal.post(
        uow.conn,
        [journal.Leg(clearing, -tx.amount), journal.Leg(wallet, tx.amount)],
        transaction_id=tx.id,
        memo="top-up",
    )
    balance = balances[wallet.id]
    await announce(
        uow, wallet, balance, tx.amount, tx,
        sms_text=f"【fenpay】您已成功充值 {format_fen(tx.amount)} 元，可用余额 {format_fen(balance.available)} 元。",
    )
    return True


@dataclass(frozen=True)
class TopUpRequest:
    """A ``topUp``: ``amount`` in fen (whole yuan, at least ``TOP_UP_MINIMUM``), the ``channel``
    (one of ``TOP_UP_CHANNELS``), the card for BANK_CARD, and the caller's idempotency key."""

    amount: int
    channel: str
    idempotency_key: str
    bank_card_id: int | None = None

    def digest(self) -> str:
        """The request hash an idempotency key is bound to."""
        return idempotency.request_hash(
            OPERATION, {"amount": self.amount, "channel": self.channel, "bankCardId": self.bank_card_id}
        )


async def top_up(user: User, request: TopUpRequest) -> MoneyResult:
    """Start (BANK_CARD: and try to finish) a top-up of ``user``'s wallet.

    Raises DomainError for a bad amount or channel, a card that is not the user's, a reused
    idempotency key with another request, a full wallet or a channel's refusal."""
    amount, channel = request.amount, request.channel
    require_whole_yuan(amount, TOP_UP_MINIMUM)
    if channel not in TOP_UP_CHANNELS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "充值方式须为银行卡、第三方支付或线下汇款", input_field("channel"))
    card: BankCard | None = None
    if channel == Channel.BANK_CARD:
        if request.bank_card_id is None:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "银行卡充值请选择银行卡", input_field("bankCardId"))
        card = await owned_card(user.id, request.bank_card_id)
    key = Key(user.id, request.idempotency_key, OPERATION, request.digest())
    if (first := await kernel.earlier(key)) is not None:
        return first
    wallet = await wallet_of(user.id)
    # Resolved before anything is written: no channel configured refuses with nothing held.
    bank = bank_channel() if channel == Channel.BANK_CARD else None
    provider = third_party_channel() if channel == Channel.THIRD_PARTY else None

    # The amount must fit under the maximum wallet balance before any channel is asked.
    number = new_number("T")
    movement = Movement(type=OPERATION, account=wallet, amount=amount, channel=channel, key=key, incoming=amount,
                        transaction_no=number, status=TransactionStatus.PENDING)
    if channel == Channel.BANK_CARD:
        assert card is not None
        movement = replace(
            movement, status=TransactionStatus.PROCESSING, counterparty_name=card.bank_name,
            counterparty_ref=card.masked_number, bank_card_id=card.id, description=f"{card.bank_name}（尾号{card.last4}）充值",
        )
    elif channel == Channel.THIRD_PARTY:
        movement = replace(movement, counterparty_name="第三方支付", external_ref=number, description="第三方支付充值")
    else:
        reference = deposit_reference()
        movement = replace(
            movement, counterparty_name="线下汇款", counterparty_ref=reference, external_ref=reference,
            description=f"线下汇款充值：请到合作银行网点汇款 {format_fen(amount)} 元，并在附言中填写存款识别码 {reference}",
        )
    started = await kernel.move(movement)
    if started.replayed:
        return started
    if bank is not None:
        assert card is not None
        await _charge_card(started.transaction, key, card, bank)
    elif provider is not None:
        await _open_checkout(started.transaction, key, provider)
    return await kernel.current(started.transaction.id, wallet.id)


async def _charge_card(tx: Transaction, key: Key, card: BankCard, bank: BankChannel) -> None:
    number = card_number(card)
    result = await calls.call(
        lambda: bank.charge(number, tx.amount, tx.transaction_no), tx.transaction_no, "top-up charge"
    )
    if result.status == UNKNOWN:
        return  # stays PROCESSING: the recovery job asks the bank
    if result.status != SUCCEEDED:
        reason = result.message or "银行拒绝了本次扣款"
        await kernel.fail(
            key, tx.id, (TransactionStatus.PROCESSING,),
            DomainError(ErrorCode.CHANNEL_DECLINED, f"充值失败：{reason}", input_field("bankCardId")),
        )
    async with unit_of_work() as uow:
        await credit(uow, tx.id, (TransactionStatus.PROCESSING,))


async def _open_checkout(tx: Transaction, key: Key, provider: ThirdPartyChannel) -> None:
    # No answer means no checkout URL: the payer cannot pay, so it fails like a refusal.
    result = await calls.call(
        lambda: provider.create_checkout(tx.amount, tx.transaction_no, tx.description or ""),
        tx.transaction_no, "top-up checkout",
    )
    if result.status != PENDING or not result.checkout_url:
        await kernel.fail(
            key, tx.id, (TransactionStatus.PENDING,),
            DomainError(ErrorCode.CHANNEL_DECLINED, f"第三方支付下单失败：{result.message or '请稍后再试'}", input_field("channel")),
        )
    await Transaction.filter(id=tx.id).update(checkout_url=result.checkout_url, external_ref=result.reference)
