"""pay (seed 4.1, 4.2): a user pays a merchant from the wallet, by bank card or through a
third-party provider, with the payment password, the risk check and an idempotency key."""

from __future__ import annotations

from dataclasses import dataclass

from models import BankCard, Transaction, User

from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import UnitOfWork
from ..fx import booking
from ..fx.limits import annual_limit_fen
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency, kernel
from ..ledger.accounts import wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Key, MoneyResult, Movement, Notice
from ..ledger.vocabulary import Channel, TransactionType
from ..risk.check import Outgoing, screen
from .channel_payments import BANK_CARD, THIRD_PARTY, ChannelPayment, pay_through_channel
from .parties import merchant_party, payer_party
from .payer import pay_parties
from .validation import optional_text, positive_amount

OPERATION = "pay"
WALLET_BALANCE = Channel.WALLET_BALANCE
PAY_CHANNELS = (WALLET_BALANCE, BANK_CARD, THIRD_PARTY)


@dataclass(frozen=True)
class PayRequest:
    merchant_no: str
    amount: int
    channel: str
    payment_password: str
    idempotency_key: str
    bank_card_id: int | None = None
    verification_code: str | None = None
    description: str | None = None
    fx_quote_id: str | None = None
    """The live quote a foreign merchant is paid with (``createFxQuote``; balance only)."""

    def digest(self) -> str:
        parts: dict[str, object] = {
            "merchantNo": self.merchant_no.strip(),
            "amount": self.amount,
            "channel": self.channel,
            "bankCardId": self.bank_card_id if self.channel == BANK_CARD else None,
            "description": self.description,
        }
        if self.fx_quote_id:
            parts["fxQuoteId"] = self.fx_quote_id.strip()
        return idempotency.request_hash(OPERATION, parts)


async def _card(user: User, request: PayRequest) -> BankCard:
    if request.bank_card_id is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "银行卡支付请选择银行卡", input_field("bankCardId"))
    card = await BankCard.get_or_none(id=request.bank_card_id, user_id=user.id)
    if card is None:
        raise DomainError(ErrorCode.NOT_FOUND, "银行卡不存在", input_field("bankCardId"))
    return card


async def pay(user: User, request: PayRequest) -> MoneyResult:
    idempotency.validate_key(request.idempotency_key)
    amount = positive_amount(request.amount)
    description = optional_text(request.description, 100, "description")
    if request.channel not in PAY_CHANNELS:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, "支付方式须为余额、银行卡或第三方支付", input_field("channel")
        )
    parties = await pay_parties(user.id, request.idempotency_key, request.merchant_no)
    merchant = parties.merchant
    if merchant is None:
        raise DomainError(ErrorCode.NOT_FOUND, "商户不存在", input_field("merchantNo"))
    booking.require_quote(merchant.account, request.fx_quote_id)
    if booking.is_foreign(merchant.account) and request.channel != WALLET_BALANCE:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "跨境付款仅支持余额支付", input_field("channel"))
    card = await _card(user, request) if request.channel == BANK_CARD else None
    facts = parties.payer
    await verify_payment_password(user, request.payment_password, state=facts.password if facts else None)

    key = Key(user.id, request.idempotency_key, OPERATION, request.digest())
    if facts is None or facts.key_used:
        if (first := await kernel.earlier(key)) is not None:
            return first

    wallet = facts.wallet if facts is not None else await wallet_of(user.id)
    quote = None
    if request.fx_quote_id:
        quote = await booking.quote_for_payment(user, request.fx_quote_id, merchant.id, cny_amount=amount)
    risk = Outgoing(user=user, wallet_id=wallet.id, amount=amount, operation="PAY",
                    verification_code=request.verification_code,
                    cross_border_limit_fen=await annual_limit_fen() if quote else None)
    rule = await screen(risk)
    if request.channel == WALLET_BALANCE:
        counterparty, initiator = merchant_party(merchant), payer_party(user, wallet)
        legs = (
            await booking.payment_legs(wallet, merchant.account, quote) if quote
            else (Leg(wallet, -amount), Leg(merchant.account, amount))
        )

        async def claim_quote(uow: UnitOfWork, transaction: Transaction, _balances: object) -> None:
            if quote is not None:
                await booking.claim(uow.conn, quote, transaction)

        return await kernel.move(
            Movement(
                type=TransactionType.PAYMENT, account=wallet, amount=amount, key=key, risk=risk, allow_rule=rule,
                legs=legs, memo=f"fx {quote.quote_no}" if quote else None, after=claim_quote if quote else None,
                counterparty_account_id=merchant.account_id,
                counterparty_name=counterparty.name, counterparty_ref=counterparty.ref,
                initiator_name=initiator.name, initiator_ref=initiator.ref,
                description=description,
                notices=(Notice(wallet, -amount, sms_phone=user.phone),),
            )
        )
    payment = ChannelPayment(
        payer=user, wallet=wallet, merchant=merchant, amount=amount,
        channel=request.channel, description=description, card=card,
    )
    return await pay_through_channel(payment, key=key, risk=risk, allow_rule=rule)
