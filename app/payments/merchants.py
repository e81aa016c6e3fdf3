"""Merchants: created by an ADMIN for a registered user, who gains the MERCHANT role.

Each merchant gets a settlement account (kind MERCHANT) that only takes postings: its
balance is the sum of its postings, so paying a popular merchant never waits on its row.
"""

from __future__ import annotations

import secrets

from tortoise import connections

from models import Account, Merchant, User

from .. import audit, db
from ..errors import DomainError, ErrorCode, input_field
from ..identity.users import add_role
from ..ledger import sql
from ..ledger.accounts import MERCHANT, open_account
from .validation import required_text

MERCHANT_ROLE = "MERCHANT"


def new_merchant_no() -> str:
    """Public merchant number: M + 12 random digits."""
    return f"M{secrets.randbelow(10**12):012d}"


async def create_merchant(
    name: str,
    category: str,
    owner_phone: str,
    *,
    actor_id: int | None,
    ip: str | None = None,
    merchant_no: str | None = None,
) -> Merchant:
    name = required_text(name, 100, "name")
    category = required_text(category, 60, "category")
    owner = await User.get_or_none(phone=owner_phone.strip())
    if owner is None:
        raise DomainError(ErrorCode.NOT_FOUND, "该手机号尚未注册", input_field("ownerPhone"))
    if await Merchant.filter(owner_id=owner.id).exists():
        raise DomainError(ErrorCode.VALIDATION_FAILED, "该用户已拥有商户", input_field("ownerPhone"))
    async with db.atomic() as conn:
        account = await open_account(MERCHANT, name, user_id=owner.id, conn=conn)
        merchant = await Merchant.create(
            merchant_no=merchant_no or new_merchant_no(),
            name=name,
            category=category,
            owner_id=owner.id,
            account_id=account.id,
            using_db=conn,
        )
        if MERCHANT_ROLE not in owner.role_set:
            add_role(owner, MERCHANT_ROLE)
            await User.filter(id=owner.id).using_db(conn).update(roles=owner.roles)
        await audit.record(
            "MERCHANT_CREATED",
            actor_id=actor_id,
            subject_user_id=owner.id,
            ip=ip,
            details={"merchantNo": merchant.merchant_no, "name": name},
            conn=conn,
        )
    return merchant


def _by_no() -> str:
    return (
        f"SELECT {sql.columns(Merchant, 'm')}, {sql.columns(Account, 'a')} FROM merchants"
        " JOIN accounts ON accounts.id = merchants.account_id WHERE merchants.merchant_no = ? LIMIT 1"
    )


async def merchant_by_no(merchant_no: str) -> Merchant | None:
    """The merchant with its settlement account loaded (``merchant.account``), in one query
    (hand-written: the payment path's look-up)."""
    rows = await sql.fetch(connections.get("default"), _by_no(), merchant_no.strip())
    if not rows:
        return None
    merchant = sql.from_row(Merchant, rows[0], "m")
    object.__setattr__(merchant, "_account", sql.from_row(Account, rows[0], "a"))
    return merchant


async def payable_merchant(merchant_no: str) -> Merchant:
    merchant = await merchant_by_no(merchant_no)
    if merchant is None:
        raise DomainError(ErrorCode.NOT_FOUND, "商户不存在", input_field("merchantNo"))
    return merchant


async def owned_merchant(user: User) -> Merchant:
    merchant = await Merchant.filter(owner_id=user.id).order_by("id").first()
    if merchant is None:
        raise DomainError(ErrorCode.NOT_FOUND, "您还没有商户", None)
    return merchant
