"""pay (seed 4.1, 4.2): a user pays a merchant from the wallet, by bank card or through a
third-party provider, with the payment password, the risk check and an idempotency key."""

from __future__ import annotations

from dataclasses import dataclass

from models import BankCard, User

from ..errors import DomainError, ErrorCode, input_field
from ..identity.payment_password import verify_payment_password
from ..ledger import idempotency
from ..ledger.accounts import wallet_of
from ..risk.check import Outgoing, check_outgoing
from .channel_payments import BANK_CARD, THIRD_PARTY, ChannelPayment, pay_through_channel
from .merchants import payable_merchant
from .outcome import Outcome, replay
from .parties import merchant_party, payer_party
from .validation import optional_text, positive_amount
from .wallet_debit import WalletDebit, debit_wallet

OPERATION = "pay"
WALLET_BALANCE = "WALLET_BALANCE"
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

    def digest(self) -> str:
        return idempotency.request_hash(
            OPERATION,
            {
                "merchantNo": self.merchant_no.strip(),
                "amount": self.amount,
                "channel": self.channel,
                "bankCardId": self.bank_card_id if self.channel == BANK_CARD else None,
                "description": self.description,
            },
        )


async def _card(user: User, request: PayRequest) -> BankCard:
    if request.bank_card_id is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "银行卡支付请选择银行卡", input_field("bankCardId"))
    card = await BankCard.get_or_none(id=request.bank_card_id, user_id=user.id)
    if card is None:
        raise DomainError(ErrorCode.NOT_FOUND, "银行卡不存在", input_field("bankCardId"))
    return card


async def pay(user: User, request: PayRequest) -> Outcome:
    idempotency.validate_key(request.idempotency_key)
    amount = positive_amount(request.amount)
    description = optional_text(request.description, 100, "description")
    if request.channel not in PAY_CHANNELS:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, "支付方式须为余额、银行卡或第三方支付", input_field("channel")
        )
    merchant = await payable_merchant(request.merchant_no)
    card = await _card(user, request) if request.channel == BANK_CARD else None
    await verify_payment_password(user, request.payment_password)

    digest = request.digest()
    earlier = await idempotency.find(user.id, request.idempotency_key, OPERATION, digest)
    if earlier is not None:
        return await replay(earlier, user.id)

    wallet = await wallet_of(user.id)
    await check_outgoing(
        Outgoing(user=user, wallet_id=wallet.id, amount=amount, operation="PAY",
                 verification_code=request.verification_code)
    )
    if request.channel == WALLET_BALANCE:
        debit = WalletDebit(
            payer=user,
            wallet=wallet,
            credit=merchant.account,
            amount=amount,
            type="PAYMENT",
            counterparty=merchant_party(merchant),
            initiator=payer_party(user, wallet),
            description=description,
        )
        return await debit_wallet(debit, key=request.idempotency_key, operation=OPERATION, digest=digest)
    payment = ChannelPayment(
        payer=user, wallet=wallet, merchant=merchant, amount=amount,
        channel=request.channel, description=description, card=card,
    )
    return await pay_through_channel(payment, key=request.idempotency_key, operation=OPERATION, digest=digest)
