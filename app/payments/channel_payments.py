"""Paying a merchant by bank card or through a third-party provider.

The channel is never called inside a database transaction: first the attempt is
recorded (the Transaction, PROCESSING or PENDING, and the idempotency key), then the
channel is asked, then a second short transaction settles or fails the payment. The
payer's wallet is untouched; the merchant is credited from the channel's clearing account.
A card charge that raises or times out leaves the payment PROCESSING (the answer says so,
and a retry with the same key answers the same payment); the recovery job asks the bank
later (app/payments/recovery.py). A checkout that cannot be opened fails: without a
checkout URL nobody can pay it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from models import Account, BankCard, IdempotencyRecord, Merchant, Transaction, User

from .. import crypto
from ..channels import calls
from ..channels.base import DECLINED, INSUFFICIENT, PENDING, SUCCEEDED, UNKNOWN, ChannelResult
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import unit_of_work
from ..ledger import idempotency
from ..ledger.numbers import new_number
from . import channels
from .settlement import fail_payment, settle_payment
from .outcome import Outcome, refusal_result, replay, success_result
from .parties import merchant_party, payer_party

log = logging.getLogger(__name__)

BANK_CARD = "BANK_CARD"
THIRD_PARTY = "THIRD_PARTY"


@dataclass(frozen=True)
class ChannelPayment:
    payer: User
    wallet: Account
    merchant: Merchant
    amount: int
    channel: str
    description: str | None
    card: BankCard | None = None


async def _record_attempt(
    p: ChannelPayment, *, key: str, operation: str, digest: str
) -> tuple[Transaction, int] | IdempotencyRecord:
    """Write the open Transaction and own the key; an already-committed duplicate's record otherwise."""
    counterparty = merchant_party(p.merchant)
    initiator = payer_party(p.payer, p.wallet)
    async with unit_of_work() as uow:
        claim = await idempotency.claim(uow.conn, p.payer.id, key, operation, digest)
        if claim.replay is not None:
            return claim.replay
        assert claim.record_id is not None
        tx = await Transaction.create(
            transaction_no=new_number("T"),
            type="PAYMENT",
            status="PROCESSING" if p.channel == BANK_CARD else "PENDING",
            channel=p.channel,
            amount=p.amount,
            account_id=p.wallet.id,
            counterparty_account_id=p.merchant.account_id,
            counterparty_name=counterparty.name,
            counterparty_ref=counterparty.ref,
            initiator_name=initiator.name,
            initiator_ref=initiator.ref,
            description=p.description,
            bank_card_id=p.card.id if p.card else None,
            using_db=uow.conn,
        )
        await idempotency.complete(uow.conn, claim.record_id, transaction_id=tx.id, result=success_result(tx))
    return tx, claim.record_id


async def _refuse(tx: Transaction, record_id: int, error: DomainError) -> DomainError:
    """Fail the payment and remember the refusal for replays; returns the error to raise."""
    await fail_payment(tx.id)
    await IdempotencyRecord.filter(id=record_id).update(result=refusal_result(tx, error))
    return error


def _decline_message(result: ChannelResult) -> str:
    if result.status == INSUFFICIENT:
        return "银行卡余额不足，支付失败"
    if result.status == DECLINED:
        return "发卡行拒绝了本次支付"
    return "支付渠道未能完成本次支付"


async def pay_through_channel(p: ChannelPayment, *, key: str, operation: str, digest: str) -> Outcome:
    started = await _record_attempt(p, key=key, operation=operation, digest=digest)
    if isinstance(started, IdempotencyRecord):
        return await replay(started, p.payer.id)
    tx, record_id = started
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
            await settle_payment(tx.id, external_ref=result.reference)
        else:
            error = DomainError(ErrorCode.CHANNEL_DECLINED, _decline_message(result), input_field("bankCardId"))
            raise await _refuse(tx, record_id, error)
    else:
        provider = channels.third_party()
        result = await calls.call(
            lambda: provider.create_checkout(p.amount, tx.transaction_no, p.description or f"向{p.merchant.name}付款"),
            tx.transaction_no, "payment checkout",
        )
        if result.status == PENDING and result.checkout_url:
            await Transaction.filter(id=tx.id).update(checkout_url=result.checkout_url, external_ref=result.reference)
        elif result.status == SUCCEEDED:
            await settle_payment(tx.id, external_ref=result.reference)
        else:
            log.info("third-party checkout refused for %s: %s", tx.transaction_no, result.status)
            error = DomainError(ErrorCode.CHANNEL_DECLINED, _decline_message(result), input_field("channel"))
            raise await _refuse(tx, record_id, error)
    return Outcome(transaction=await Transaction.get(id=tx.id), account=p.wallet)
