"""Binding and removing bank cards.

Binding needs a real-name VERIFIED user whose verified name and ID number match
the card holder, a Luhn-valid number, and a BIND_BANK_CARD code sent to the
phone reserved at the bank. The number is kept encrypted with a keyed blind
index (one card, one binding); outputs show it masked. CVV and bank PINs are
never accepted.
"""

from __future__ import annotations

import re
import unicodedata

from tortoise.exceptions import IntegrityError

from models import BankCard, Transaction, User

from .. import audit, crypto, db
from ..errors import DomainError, ErrorCode, input_field
from ..identity.codes import consume_code
from ..identity.payment_password import verify_payment_password
from ..ledger.vocabulary import TransactionStatus
from .bins import bank_name_for
from .numbers import luhn_valid, masked, normalise

BLIND_INDEX_PURPOSE = "bank_card"
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _same_text(a: str, b: str) -> bool:
    def canon(value: str) -> str:
        return unicodedata.normalize("NFKC", value).strip().replace(" ", "").upper()

    return canon(a) == canon(b)


async def add_bank_card(
    user: User,
    *,
    card_number: str,
    holder_name: str,
    id_number: str,
    phone: str,
    verification_code: str,
    ip: str | None = None,
) -> BankCard:
    fresh = await User.get(id=user.id)
    if fresh.real_name_status != "VERIFIED" or not fresh.real_name_enc or not fresh.id_number_enc:
        raise DomainError(ErrorCode.REAL_NAME_REQUIRED, "绑定银行卡前请先完成实名认证", input_field("cardNumber"))
    number = normalise(card_number)
    if not luhn_valid(number):
        raise DomainError(ErrorCode.INVALID_CARD_NUMBER, "银行卡号无效，请核对后重新输入", input_field("cardNumber"))
    if not _same_text(holder_name, crypto.decrypt(fresh.real_name_enc)):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, "持卡人姓名与实名认证信息不一致", input_field("holderName")
        )
    if not _same_text(id_number, crypto.decrypt(fresh.id_number_enc)):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, "身份证号与实名认证信息不一致", input_field("idNumber")
        )
    reserved_phone = (phone or "").strip()
    if not _MAINLAND_MOBILE.match(reserved_phone):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入银行预留的 11 位手机号", input_field("phone"))
    index = crypto.blind_index(number, BLIND_INDEX_PURPOSE)
    if await BankCard.filter(number_index=index).exists():
        raise DomainError(ErrorCode.VALIDATION_FAILED, "该银行卡已被绑定", input_field("cardNumber"))
    await consume_code(reserved_phone, "BIND_BANK_CARD", verification_code, input_field("verificationCode"))

    async with db.atomic() as conn:
        has_default = await BankCard.filter(user_id=fresh.id, is_default=True).using_db(conn).exists()
        try:
            card = await BankCard.create(
                user_id=fresh.id,
                bank_name=bank_name_for(number),
                number_enc=crypto.encrypt(number),
                number_index=index,
                masked_number=masked(number),
                last4=number[-4:],
                holder_name_enc=fresh.real_name_enc,
                reserved_phone=reserved_phone,
                is_default=not has_default,
                using_db=conn,
            )
        except IntegrityError:
            # A concurrent binding of the same card won the unique blind index.
            raise DomainError(ErrorCode.VALIDATION_FAILED, "该银行卡已被绑定", input_field("cardNumber")) from None
        await audit.record(
            "BANK_CARD_ADDED",
            actor_id=fresh.id,
            ip=ip,
            details={"bankCardId": card.id, "bank": card.bank_name, "last4": card.last4},
            conn=conn,
        )
    return card


async def owned_card(user_id: int, card_id: int | None, field: str = "bankCardId") -> BankCard:
    """The user's own card, or NOT_FOUND (someone else's card looks the same as none)."""
    card = await BankCard.get_or_none(id=card_id, user_id=user_id) if card_id else None
    if card is None:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该银行卡", input_field(field))
    return card


def card_number(card: BankCard) -> str:
    """The full number, for the channel only (never for output or logs)."""
    return crypto.decrypt(card.number_enc)


async def remove_bank_card(user: User, card_id: int | None, payment_password: str, ip: str | None = None) -> None:
    card = await owned_card(user.id, card_id)
    await verify_payment_password(user, payment_password)
    # A withdrawal still waiting for its payout needs the card.
    if await Transaction.filter(bank_card_id=card.id, status__in=(TransactionStatus.PENDING, TransactionStatus.PROCESSING)).exists():
        raise DomainError(
            ErrorCode.INVALID_STATE, "该银行卡有处理中的交易，完成后才能解绑", input_field("bankCardId")
        )
    async with db.atomic() as conn:
        await BankCard.filter(id=card.id).using_db(conn).delete()
        if card.is_default:
            successor = await BankCard.filter(user_id=user.id).using_db(conn).order_by("id").first()
            if successor is not None:
                await BankCard.filter(id=successor.id).using_db(conn).update(is_default=True)
        await audit.record(
            "BANK_CARD_REMOVED",
            actor_id=user.id,
            ip=ip,
            details={"bankCardId": card.id, "bank": card.bank_name, "last4": card.last4},
            conn=conn,
        )
