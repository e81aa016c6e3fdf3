"""Set-up helpers and channel test doubles for the payment tests."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from app import crypto
from app.channels.base import DECLINED, INSUFFICIENT, PENDING, SUCCEEDED, ChannelResult
from app.masking import mask_card
from app.payments.merchants import create_merchant
from models import Account, BankCard, Merchant, SandboxMessage, User
from tests.factories import make_user

_cards = itertools.count(1)

PAY = """
mutation($input: PayInput!) { pay(input: $input) {
  transaction { id transactionNo type status direction amount channel checkoutUrl description
                counterparty { name account } }
  account { available frozen }
  errors { code message field }
} }"""

TRANSFER = """
mutation($input: TransferInput!) { transfer(input: $input) {
  transaction { id transactionNo type status direction amount channel description counterparty { name account } }
  account { available }
  errors { code message field }
} }"""

CREATE_QR = """
mutation($input: CreatePaymentQrCodeInput!) { createPaymentQrCode(input: $input) {
  qrCode { id amount description payload svg status expiresAt merchant { merchantNo name } transaction { id } }
  errors { code message field }
} }"""

PAY_QR = """
mutation($input: PayQrCodeInput!) { payQrCode(input: $input) {
  transaction { id transactionNo type status direction amount channel description counterparty { name account } }
  account { available }
  errors { code message field }
} }"""

MERCHANT_BALANCE = "{ viewer { merchant { account { available } } } }"


async def make_merchant(name: str = "测试咖啡馆", owner: User | None = None) -> tuple[Merchant, User]:
    owner = owner or await make_user()
    merchant = await create_merchant(name, "餐饮", owner.phone, actor_id=None)
    return merchant, await User.get(id=owner.id)


async def merchant_balance(merchant: Merchant) -> int:
    """Merchant accounts keep no running balance: the sum of their postings."""
    from app.ledger.accounts import balance_of

    return (await balance_of(await Account.get(id=merchant.account_id))).available


def luhn_number(prefix: str, suffix: str, length: int = 16) -> str:
    """A Luhn-valid card number ``prefix`` + filler digits + ``suffix`` (the filler is varied)."""
    width = length - len(prefix) - len(suffix)
    for filler in range(10**width):
        number = f"{prefix}{filler:0{width}d}{suffix}"
        total = 0
        for index, digit in enumerate(int(d) for d in reversed(number)):
            if index % 2 == 1:
                digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
            total += digit
        if total % 10 == 0:
            return number
    raise AssertionError("no Luhn-valid number found")


async def bind_card(user: User, suffix: str = "1234") -> BankCard:
    """A bound card (set-up only: binding itself is the money core's)."""
    number = luhn_number(f"62220{next(_cards):03d}", suffix)
    return await BankCard.create(
        user_id=user.id,
        bank_name="中国工商银行",
        number_enc=crypto.encrypt(number),
        number_index=crypto.blind_index(number, "card_number"),
        masked_number=mask_card(number),
        last4=number[-4:],
        holder_name_enc=crypto.encrypt("张三"),
        reserved_phone=user.phone,
    )


@dataclass
class FakeBank:
    """The BankChannel interface with the sandbox's card rules: ...0002 declined, ...0051 no funds."""

    charges: list[tuple[str, int, str]] = field(default_factory=list)

    async def charge(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        self.charges.append((card_number, amount, reference))
        if card_number.endswith("0002"):
            return ChannelResult(DECLINED, reference, message="declined")
        if card_number.endswith("0051"):
            return ChannelResult(INSUFFICIENT, reference, message="insufficient funds")
        return ChannelResult(SUCCEEDED, reference)

    async def payout(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        return ChannelResult(SUCCEEDED, reference)


@dataclass
class FakeThirdParty:
    """The ThirdPartyChannel interface: every checkout is PENDING with a URL (or refused)."""

    refuse: bool = False
    checkouts: list[tuple[int, str, str]] = field(default_factory=list)

    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        self.checkouts.append((amount, reference, description))
        if self.refuse:
            return ChannelResult("FAILED", reference, message="provider unavailable")
        return ChannelResult(PENDING, reference, checkout_url=f"https://checkout.test/{reference}")

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        return ChannelResult(SUCCEEDED, reference)


async def latest_code(phone: str, purpose: str = "PAYMENT") -> str:
    message = await SandboxMessage.filter(recipient=phone, purpose=purpose).order_by("-id").first()
    assert message is not None, f"no {purpose} message for {phone}"
    found = re.search(r"\d{6}", message.text)
    assert found
    return found.group(0)
