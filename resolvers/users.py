"""Field resolvers of the User type that reach into other capabilities."""

from __future__ import annotations

from app import crypto
from app.ledger.accounts import WALLET
from models import Account, BankCard, Merchant, User


async def wallet(user: User) -> Account:
    return await Account.get(user_id=user.id, kind=WALLET)


async def bank_cards(user: User) -> list[tuple[BankCard, str]]:
    """The user's cards with their decrypted holder names (masked by the type)."""
    cards = await BankCard.filter(user_id=user.id).order_by("id")
    return [(card, crypto.decrypt(card.holder_name_enc)) for card in cards]


async def merchant(user: User) -> Merchant | None:
    return await Merchant.filter(owner_id=user.id).first()


def real_name(user: User) -> str | None:
    return crypto.decrypt(user.real_name_enc) if user.real_name_enc else None


def id_number(user: User) -> str | None:
    return crypto.decrypt(user.id_number_enc) if user.id_number_enc else None
