"""Paying a merchant by bank card or through a third-party provider.

The channel is never called inside a database transaction: first the attempt is
recorded (the Transaction, PROCESSING or PENDING, and the idempotency key), then the
channel is asked, then a second short transaction completes or fails the payment
(app/payments/channel_completion.py). The payer's wallet is untouched; the merchant
account is credited from the channel's clearing account.
A card charge that raises or times out leaves the payment PROCESSING (the answer says so,
and a retry with the same key answers the same payment); the recovery job asks the bank
later (app/payments/recovery.py). A checkout that cannot be opened fails: without a
checkout URL nobody can pay it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from models import Account, BankCard, Merchant, Transaction, User

from .. import crypto
from ..channels import calls
from ..channels.base import DECLINED, INSUFFICIENT, PENDING, SUCCEEDED, UNKNOWN, ChannelResult
from ..errors import DomainError, ErrorCode, input_field
from ..ledger import kernel
from ..ledger.kernel import Key, MoneyResult, Movement
from ..ledger.vocabulary import Channel, TransactionStatus, TransactionType
from ..risk.check import Outgoing
from . import channels
from .channel_completion import complete_payment, fail_payment
from .parties import merchant_party, payer_party

log = logging.getLogger(__name__)

BANK_CARD = Channel.BANK_CARD
THIRD_PARTY = Channel.THIRD_PARTY


@dataclass(frozen=True)
class ChannelPayment:
    payer: User
    wallet: Account
    merchant: Merchant
    amount: int
    channel: str
    description: str | None
    card: BankCard | None = None


async def _record_attempt(p: ChannelPayment, *, key: Key, risk: Outgoing, allow_rule: str) -> MoneyResult:
    """Record the open payment through the kernel (limits under the payer's wallet lock, the key
    stored with it); an already-committed duplicate's first result otherwise."""
    counterparty = merchant_party(p.merchant)
    initiator = payer_party(p.payer, p.wallet)
    return await kernel.move(
        Movement(
            type=TransactionType.PAYMENT, account=p.wallet, amount=p.amount, key=key, risk=risk, allow_rule=allow_rule,
            status=TransactionStatus.PROCESSING if p.channel == BANK_CARD else TransactionStatus.PENDING, channel=p.channel,
            counterparty_account_id=p.merchant.account_id,
            counterparty_name=counterparty.name, counterparty_ref=counterparty.ref,
            initiator_name=initiator.name, initiator_ref=initiator.ref,
            description=p.description, bank_card_id=p.card.id if p.card else None,
        )
    )


async def _refuse(tx: Transaction, key: Key, error: DomainError) -> DomainError:
    """Fail the payment and remember the refusal for replays; returns the error to raise."""
    await fail_payment(tx.id)
    await kernel.remember_failure(key, tx.id, error)
    return error


def _decline_message(result: ChannelResult) -> str:
    if result.status == INSUFFICIENT:
        return "银行卡余额不足，支付失败"
    if result.status == DECLINED:
        return "发卡行拒绝了本次支付"
    return "支付渠道未能完成本次支付"


async def pay_through_channel(p: ChannelPayment, *, key: Key, risk: Outgoing, allow_rule: str) -> MoneyResult:
    started = await _record_attempt(p, key=key, risk=risk, allow_rule=allow_rule)
    tx = started.transaction
    if started.replayed:
        return started  # a duplicate: the first request's payment, as it is now
    if p.channel == BANK_CARD:
        assert p.card is not None
        bank = channels.bank()
        number = crypto.decrypt(p.card.number_enc)
        result = await calls.call(
            lambda: bank.charge(number, p.amount, tx.transaction_no), tx.transaction_no, "card payment"
        )
        if result.status == UNKNOWN:
            pass  # stays PROCESSING for the recovery job
        elif result.status == SUCCEEDED:
            await complete_payment(tx.id, external_ref=result.reference)
        else:
            error = DomainError(ErrorCode.CHANNEL_DECLINED, _decline_message(result), input_field("bankCardId"))
            raise await _refuse(tx, key, error)
    else:
        provider = channels.third_party()
        result = await calls.call(
            lambda: provider.create_checkout(p.amount, tx.transaction_no, p.description or f"向{p.merchant.name}付款"),
            tx.transaction_no, "payment checkout",
        )
        if result.status == PENDING and result.checkout_url:
            await Transaction.filter(id=tx.id).update(checkout_url=result.checkout_url, external_ref=result.reference)
        elif result.status == SUCCEEDED:
            await complete_payment(tx.id, external_ref=result.reference)
        else:
            log.info("third-party checkout refused for %s: %s", tx.transaction_no, result.status)
            error = DomainError(ErrorCode.CHANNEL_DECLINED, _decline_message(result), input_field("channel"))
            raise await _refuse(tx, key, error)
    return MoneyResult(await Transaction.get(id=tx.id), p.wallet)
