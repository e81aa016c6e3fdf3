"""Merchants: created by an ADMIN for a registered user, who gains the MERCHANT role.

Each merchant gets a merchant account (kind MERCHANT) that only takes postings: its
balance is the sum of its postings, so paying a popular merchant never waits on its row.
"""

from __future__ import annotations

import secrets
from typing import Any

from tortoise import connections

from models import Account, Merchant, Posting, User
from models.merchant_platform import Order
from models.payments import PaymentQrCode

from .. import audit, db
from ..errors import DomainError, ErrorCode, input_field
from ..fx.currencies import supported
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
    currency: str = "CNY",
) -> Merchant:
    """A merchant for a registered user (NOT_FOUND for an unknown phone; VALIDATION_FAILED when
    the user has one already); ``currency`` is its account's currency (CURRENCY_NOT_SUPPORTED)."""
    name = required_text(name, 100, "name")
    currency = supported(currency, input_field("currency"))
    category = required_text(category, 60, "category")
    owner = await User.get_or_none(phone=owner_phone.strip())
    if owner is None:
        raise DomainError(ErrorCode.NOT_FOUND, "该手机号尚未注册", input_field("ownerPhone"))
    if await Merchant.filter(owner_id=owner.id).exists():
        raise DomainError(ErrorCode.VALIDATION_FAILED, "该用户已拥有商户", input_field("ownerPhone"))
    async with db.atomic() as conn:
        account = await open_account(MERCHANT, name, user_id=owner.id, conn=conn, currency=currency)
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
            details={"merchantNo": merchant.merchant_no, "name": name, "currency": currency},
            conn=conn,
        )
    return merchant


async def set_merchant_currency(merchant_no: str, currency: str, *, actor_id: int, ip: str | None = None) -> Merchant:
    """Staff (ADMIN) change a merchant's currency (its account's), audited (MERCHANT_CURRENCY_SET).

    Only before the merchant has moved money or issued anything priced in the old currency:
    INVALID_STATE when its account has postings or it has payment QR codes or orders.
    NOT_FOUND (merchantNo), CURRENCY_NOT_SUPPORTED (currency)."""
    currency = supported(currency, input_field("currency"))
    merchant = await payable_merchant(merchant_no)
    async with db.atomic() as conn:
        account = await Account.filter(id=merchant.account_id).using_db(conn).select_for_update().first()
        assert account is not None
        used = (
            await Posting.filter(account_id=account.id).using_db(conn).exists()
            or await PaymentQrCode.filter(merchant_id=merchant.id).using_db(conn).exists()
            or await Order.filter(merchant_id=merchant.id).using_db(conn).exists()
        )
        if used and currency != account.currency:
            raise DomainError(
                ErrorCode.INVALID_STATE, "商户已有收款记录、收款码或订单，不能更改结算币种", input_field("currency")
            )
        previous = account.currency
        await Account.filter(id=account.id).using_db(conn).update(currency=currency)
        await audit.record(
            "MERCHANT_CURRENCY_SET",
            actor_id=actor_id,
            subject_user_id=merchant.owner_id,
            ip=ip,
            details={"merchantNo": merchant.merchant_no, "from": previous, "to": currency},
            conn=conn,
        )
    refreshed = await merchant_by_no(merchant.merchant_no)
    assert refreshed is not None
    return refreshed


def by_no_statement(account_alias: str = "a") -> str:
    """The SELECT of a merchant by number (one '?') with its merchant account, columns named
    ``m.<column>`` and ``<account_alias>.<column>`` (``from_row``)."""
    return (
        f"SELECT {sql.columns(Merchant, 'm')}, {sql.columns(Account, account_alias)} FROM merchants"
        " JOIN accounts ON accounts.id = merchants.account_id WHERE merchants.merchant_no = ? LIMIT 1"
    )


def from_row(row: dict[str, Any], account_alias: str = "a") -> Merchant | None:
    """The merchant with ``merchant.account`` loaded from a row of ``by_no_statement``; None when
    the row holds no merchant (an outer join found none)."""
    if row.get("m.id") is None:
        return None
    merchant = sql.from_row(Merchant, row, "m")
    object.__setattr__(merchant, "_account", sql.from_row(Account, row, account_alias))
    return merchant


async def merchant_by_no(merchant_no: str) -> Merchant | None:
    """The merchant with its merchant account loaded (``merchant.account``), in one query
    (hand-written: the payment path's look-up)."""
    rows = await sql.fetch(connections.get("default"), by_no_statement(), merchant_no.strip())
    return from_row(rows[0]) if rows else None


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
