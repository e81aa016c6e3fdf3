"""Set-up helpers and channel test doubles for the payment tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.channels.base import DECLINED, INSUFFICIENT, PENDING, SUCCEEDED, ChannelResult
from models import Account, Merchant

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


async def merchant_balance(merchant: Merchant) -> int:
    """Merchant accounts keep no running balance: the sum of their postings."""
    from app.ledger.accounts import balance_of

    return (await balance_of(await Account.get(id=merchant.account_id))).available


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
