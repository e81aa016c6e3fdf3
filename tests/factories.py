"""Direct factories for test set-up (the behaviour under test goes through the API)."""

from __future__ import annotations

import itertools
from datetime import date

from stdnum.cn import ric

from app import crypto
from app.events.outbox import unit_of_work
from app.identity.passwords import hash_payment_password
from app.identity.tokens import issue_access_token
from app.identity.users import add_role, create_user
from app.ledger import journal
from app.ledger.accounts import system_account, wallet_of
from app.ledger.numbers import new_number
from models import Account, Transaction, User

DEFAULT_PASSWORD = "Fen!pay2026"
DEFAULT_PIN = "135790"
_phones = itertools.count(13800000001)


_id_serials = itertools.count(100)


def next_phone() -> str:
    return str(next(_phones))


def next_id_number(birth: str = "19491231") -> str:
    """A valid GB 11643 resident ID number (distinct per call)."""
    body = f"110105{birth}{next(_id_serials) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function ignores the last character


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
        id_number = id_number or next_id_number()
        user.real_name_status = "VERIFIED"
        user.real_name_enc = crypto.encrypt(real_name)
        user.id_number_enc = crypto.encrypt(id_number)
        user.id_number_index = crypto.blind_index(id_number, "id_number")
        user.birth_date = date(1949, 12, 31)
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
