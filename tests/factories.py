"""Direct factories for test set-up (the behaviour under test goes through the API).

The one home of the test suite's makers: users, staff, tokens, merchants, bank cards, card
and ID numbers, funded wallets and the newest sandbox verification code. Area folders keep
their GraphQL documents and the steps their own tests take through the API.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime

from stdnum.cn import ric

from app import crypto
from app.cards.numbers import luhn_valid, masked
from app.channels.sandbox import DECLINED_SUFFIX, DONE_THEN_TIMEOUT_SUFFIX, INSUFFICIENT_SUFFIX, TIMEOUT_SUFFIX
from app.events.outbox import unit_of_work
from app.identity.passwords import hash_payment_password
from app.identity.tokens import issue_access_token
from app.identity.users import add_role, create_user
from app.ledger import journal
from app.ledger.accounts import system_account, wallet_of
from app.ledger.numbers import new_number
from app.masking import mask_name, mask_phone
from app.payments.merchants import create_merchant
from models import Account, BankCard, Merchant, SandboxMessage, Transaction, User

DEFAULT_PASSWORD = "Fen!pay2026"
DEFAULT_PIN = "135790"
_phones = itertools.count(13800000001)
_id_serials = itertools.count(100)
_card_serials = itertools.count(1)
# Endings the sandbox bank answers with a fault: a number asked for without an ending avoids them.
SANDBOX_FAULT_ENDINGS = (DECLINED_SUFFIX, INSUFFICIENT_SUFFIX, DONE_THEN_TIMEOUT_SUFFIX, TIMEOUT_SUFFIX)


def next_phone() -> str:
    return str(next(_phones))


def next_id_number(birth: str = "19491231") -> str:
    """A valid GB 11643 resident ID number (distinct per call)."""
    body = f"110105{birth}{next(_id_serials) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function ignores the last character


def card_number(prefix: str = "622202", *, ending: str = "", length: int = 16) -> str:
    """A bank card number that ``app.cards.numbers.luhn_valid`` accepts, distinct per call.

    ``prefix`` (the BIN), serial digits, the one digit that completes the Luhn sum, then
    ``ending`` (e.g. a sandbox fault ending such as ``0002``, declined); ``length`` 12-19 digits.
    Without an ending the number never ends in a sandbox fault ending.
    """
    free = length - len(prefix) - len(ending) - 1
    assert free >= 1, "no room for a serial and the Luhn digit"
    while True:
        middle = f"{next(_card_serials):0{free}d}"[-free:]
        number = next(n for d in "0123456789" if luhn_valid(n := prefix + middle + d + ending))
        if ending or not number.endswith(SANDBOX_FAULT_ENDINGS):
            return number


def verify_real_name(user: User, real_name: str = "张三", id_number: str | None = None) -> str:
    """Mark ``user`` real-name VERIFIED (not saved: the caller saves); returns the ID number used.
    Stands in for the real-name review, which is tested on its own."""
    id_number = id_number or next_id_number()
    user.real_name_status = "VERIFIED"
    user.real_name_enc = crypto.encrypt(real_name)
    user.id_number_enc = crypto.encrypt(id_number)
    user.id_number_index = crypto.blind_index(id_number, "id_number")
    user.birth_date = date(1949, 12, 31)
    return id_number


async def make_user(
    phone: str | None = None,
    *,
    password: str = DEFAULT_PASSWORD,
    verified: bool = True,
    pin: str | None = DEFAULT_PIN,
    roles: str = "USER",
    email: str | None = None,
    real_name: str = "张三",
    id_number: str | None = None,
) -> User:
    user = await create_user(phone or next_phone(), password, email=email, roles=roles)
    if verified:
        verify_real_name(user, real_name, id_number)
    if pin is not None:
        user.payment_password_hash = hash_payment_password(user.id, pin)
    await user.save()
    return user


async def make_staff(role: str = "ADMIN") -> User:
    user = await make_user(verified=False, pin=None)
    add_role(user, role)
    await user.save()
    return user


def token_for(user: User) -> str:
    return issue_access_token(user.id)[0]


async def make_merchant(
    name: str = "测试商店",
    owner: User | None = None,
    *,
    category: str = "餐饮",
    merchant_no: str | None = None,
    currency: str = "CNY",
) -> tuple[Merchant, User]:
    """A merchant settling in ``currency``, opened the way staff open one (``create_merchant``:
    its merchant account, the owner's MERCHANT role, the audit entry); returns it and its owner
    as saved now. The owner is a new verified user unless given; the merchant number is the
    app's unless given."""
    owner = owner or await make_user()
    merchant = await create_merchant(
        name, category, owner.phone, actor_id=None, merchant_no=merchant_no, currency=currency
    )
    return merchant, await User.get(id=owner.id)


async def make_card(user: User, number: str | None = None, *, ending: str = "") -> BankCard:
    """A card bound to ``user`` (written directly: binding itself is tested through the API);
    ``number`` or a new ``card_number(ending=ending)``; the holder name is 张三."""
    number = number or card_number(ending=ending)
    return await BankCard.create(
        user_id=user.id,
        bank_name="中国工商银行",
        number_enc=crypto.encrypt(number),
        number_index=crypto.blind_index(number, "card_number"),
        masked_number=masked(number),
        last4=number[-4:],
        holder_name_enc=crypto.encrypt("张三"),
        reserved_phone=user.phone,
    )


async def latest_code(recipient: str, purpose: str) -> str:
    """The 6-digit code in the newest sandbox message of ``purpose`` to ``recipient``."""
    message = await SandboxMessage.filter(recipient=recipient, purpose=purpose).order_by("-id").first()
    assert message is not None, f"no {purpose} message for {recipient}"
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", message.text)
    assert found is not None, message.text
    return found.group(1)


async def fund(user: User, fen: int) -> Transaction:
    """Credit a wallet as a succeeded bank-card top-up (one balanced journal)."""
    wallet = await wallet_of(user.id)
    bank = await system_account("BANK_CLEARING")
    async with unit_of_work() as uow:
        tx = await Transaction.create(
            transaction_no=new_number("T"),
            type="TOP_UP",
            status="SUCCEEDED",
            channel="BANK_CARD",
            amount=fen,
            account_id=wallet.id,
            counterparty_name="测试银行",
            using_db=uow.conn,
        )
        await journal.post(
            uow.conn,
            [journal.Leg(bank, -fen), journal.Leg(wallet, fen)],
            transaction_id=tx.id,
        )
    return tx


async def wallet_balance(user: User) -> tuple[int, int]:
    wallet = await Account.get(user_id=user.id, kind="WALLET")
    return wallet.available, wallet.held


# Succeeded payments and transfers written straight into the ledger, the way ``fund`` writes a
# top-up: one Transaction row and its one POST journal in a unit of work (reconciliation stays
# clean). For tests of what reads them (statements, refunds); paying is tested through the API.


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


async def _merchant_payment(
    payer: User,
    merchant: Merchant,
    fen: int,
    *,
    channel: str,
    source: Account | None,
    created_at: datetime | None,
    status: str = "SUCCEEDED",
    bank_card_id: int | None = None,
) -> Transaction:
    """A payment of ``fen`` to ``merchant``'s merchant account from ``source`` (the payer's
    wallet when None); the payer's wallet is the transaction's account either way."""
    wallet = await wallet_of(payer.id)
    shop = await Account.get(id=merchant.account_id)
    name, ref = await _payer_view(payer)
    return await _record(
        type="PAYMENT",
        channel=channel,
        amount=fen,
        account=wallet,
        counterparty=shop,
        counterparty_name=merchant.name,
        counterparty_ref=merchant.merchant_no,
        initiator_name=name,
        initiator_ref=ref,
        legs=[journal.Leg(source or wallet, -fen), journal.Leg(shop, fen)],
        created_at=created_at,
        bank_card_id=bank_card_id,
        status=status,
    )


async def wallet_payment(
    payer: User, merchant: Merchant, fen: int, *, created_at: datetime | None = None, status: str = "SUCCEEDED"
) -> Transaction:
    """A balance payment: payer's wallet -> the merchant account."""
    return await _merchant_payment(
        payer, merchant, fen, channel="WALLET_BALANCE", source=None, created_at=created_at, status=status
    )


async def card_payment(
    payer: User, merchant: Merchant, fen: int, card: BankCard, *, created_at: datetime | None = None
) -> Transaction:
    """A bank-card payment: the bank pays the merchant; the payer's wallet is the initiator."""
    bank = await system_account("BANK_CLEARING")
    return await _merchant_payment(
        payer, merchant, fen, channel="BANK_CARD", source=bank, created_at=created_at, bank_card_id=card.id
    )


async def third_party_payment(
    payer: User, merchant: Merchant, fen: int, *, created_at: datetime | None = None
) -> Transaction:
    """A third-party payment: the provider pays the merchant; the payer's wallet is the initiator."""
    provider = await system_account("THIRD_PARTY_CLEARING")
    return await _merchant_payment(
        payer, merchant, fen, channel="THIRD_PARTY", source=provider, created_at=created_at
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
