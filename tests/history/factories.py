"""Set-up for history and refund tests: merchants, cards, and succeeded payments and
transfers written straight into the ledger (the payments capability is built elsewhere).

Each helper follows tests/factories.py ``fund``: one Transaction row and its one
POST journal in a unit of work, so reconciliation stays clean.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from app import crypto
from app.channels.base import SUCCEEDED, ChannelResult
from app.events.outbox import unit_of_work
from app.identity.users import add_role
from app.ledger import journal
from app.ledger.accounts import MERCHANT, open_account, system_account, wallet_of
from app.ledger.numbers import new_number
from app.masking import mask_card, mask_name, mask_phone
from models import Account, BankCard, Merchant, Transaction, User
from tests.factories import make_user

# Letters only, so a merchant number never matches a phone-number fragment in search tests.
_merchant_numbers = itertools.count(0)


def _merchant_no() -> str:
    n, letters = next(_merchant_numbers), ""
    for _ in range(5):
        n, r = divmod(n, 26)
        letters = chr(ord("A") + r) + letters
    return f"SHOP{letters}"
_card_serials = itertools.count(1000)


async def make_merchant(owner: User | None = None, name: str = "好再来餐厅") -> Merchant:
    if owner is None:
        owner = await make_user(verified=True, real_name="李老板")
    add_role(owner, "MERCHANT")
    await owner.save()
    account = await open_account(MERCHANT, name, user_id=None)
    return await Merchant.create(
        merchant_no=_merchant_no(),
        name=name,
        category="餐饮",
        owner_id=owner.id,
        account_id=account.id,
    )


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


async def make_card(user: User, number: str | None = None) -> BankCard:
    number = number or _luhn_complete(f"622202{next(_card_serials):012d}")
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


def _real_name(user: User) -> str:
    return crypto.decrypt(user.real_name_enc) if user.real_name_enc else ""


async def _payer_view(user: User) -> tuple[str, str]:
    """How the other side sees a user: masked real name and masked phone."""
    return mask_name(_real_name(user)), mask_phone(user.phone)


async def _record(
    *,
    type: str,
    channel: str,
    amount: int,
    account: Account,
    counterparty: Account,
    counterparty_name: str,
    counterparty_ref: str,
    initiator_name: str,
    initiator_ref: str,
    legs: list[journal.Leg],
    created_at: datetime | None = None,
    bank_card_id: int | None = None,
    status: str = "SUCCEEDED",
) -> Transaction:
    async with unit_of_work() as uow:
        extra = {"created_at": created_at} if created_at is not None else {}
        tx = await Transaction.create(
            transaction_no=new_number("T"),
            type=type,
            status=status,
            channel=channel,
            amount=amount,
            account_id=account.id,
            counterparty_account_id=counterparty.id,
            counterparty_name=counterparty_name,
            counterparty_ref=counterparty_ref,
            initiator_name=initiator_name,
            initiator_ref=initiator_ref,
            bank_card_id=bank_card_id,
            completed_at=created_at,
            using_db=uow.conn,
            **extra,
        )
        if status == "SUCCEEDED":
            await journal.post(uow.conn, legs, transaction_id=tx.id)
    return tx


async def wallet_payment(
    payer: User, merchant: Merchant, fen: int, *, created_at: datetime | None = None, status: str = "SUCCEEDED"
) -> Transaction:
    """A balance payment: payer's wallet -> the merchant account."""
    wallet = await wallet_of(payer.id)
    shop = await Account.get(id=merchant.account_id)
    name, ref = await _payer_view(payer)
    return await _record(
        type="PAYMENT",
        channel="WALLET_BALANCE",
        amount=fen,
        account=wallet,
        counterparty=shop,
        counterparty_name=merchant.name,
        counterparty_ref=merchant.merchant_no,
        initiator_name=name,
        initiator_ref=ref,
        legs=[journal.Leg(wallet, -fen), journal.Leg(shop, fen)],
        created_at=created_at,
        status=status,
    )


async def card_payment(
    payer: User, merchant: Merchant, fen: int, card: BankCard, *, created_at: datetime | None = None
) -> Transaction:
    """A bank-card payment: the bank pays the merchant; the payer's wallet is the initiator."""
    wallet = await wallet_of(payer.id)
    shop = await Account.get(id=merchant.account_id)
    bank = await system_account("BANK_CLEARING")
    name, ref = await _payer_view(payer)
    return await _record(
        type="PAYMENT",
        channel="BANK_CARD",
        amount=fen,
        account=wallet,
        counterparty=shop,
        counterparty_name=merchant.name,
        counterparty_ref=merchant.merchant_no,
        initiator_name=name,
        initiator_ref=ref,
        legs=[journal.Leg(bank, -fen), journal.Leg(shop, fen)],
        created_at=created_at,
        bank_card_id=card.id,
    )


async def third_party_payment(
    payer: User, merchant: Merchant, fen: int, *, created_at: datetime | None = None
) -> Transaction:
    wallet = await wallet_of(payer.id)
    shop = await Account.get(id=merchant.account_id)
    provider = await system_account("THIRD_PARTY_CLEARING")
    name, ref = await _payer_view(payer)
    return await _record(
        type="PAYMENT",
        channel="THIRD_PARTY",
        amount=fen,
        account=wallet,
        counterparty=shop,
        counterparty_name=merchant.name,
        counterparty_ref=merchant.merchant_no,
        initiator_name=name,
        initiator_ref=ref,
        legs=[journal.Leg(provider, -fen), journal.Leg(shop, fen)],
        created_at=created_at,
    )


async def transfer(
    sender: User, recipient: User, fen: int, *, created_at: datetime | None = None
) -> Transaction:
    """A wallet-to-wallet transfer (sender's wallet is the initiator)."""
    source = await wallet_of(sender.id)
    target = await wallet_of(recipient.id)
    name, ref = await _payer_view(sender)
    return await _record(
        type="TRANSFER",
        channel="WALLET_BALANCE",
        amount=fen,
        account=source,
        counterparty=target,
        counterparty_name=mask_name(_real_name(recipient)),
        counterparty_ref=mask_phone(recipient.phone),
        initiator_name=name,
        initiator_ref=ref,
        legs=[journal.Leg(source, -fen), journal.Leg(target, fen)],
        created_at=created_at,
    )


@dataclass
class RecordingBank:
    """A BankChannel double: answers ``status`` and records every payout."""

    status: str = SUCCEEDED
    payouts: list[tuple[str, int, str]] = field(default_factory=list)

    async def charge(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        raise AssertionError("a refund never charges a card")

    async def payout(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        self.payouts.append((card_number, amount, reference))
        return ChannelResult(status=self.status, reference=reference, message="" if self.status == SUCCEEDED else "银行拒绝")


@dataclass
class RecordingProvider:
    """A ThirdPartyChannel double."""

    status: str = SUCCEEDED
    payouts: list[tuple[int, str]] = field(default_factory=list)

    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        raise AssertionError("a refund never starts a checkout")

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        self.payouts.append((amount, reference))
        return ChannelResult(status=self.status, reference=reference)
