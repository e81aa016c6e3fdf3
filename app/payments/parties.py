"""How each side of a payment or transfer is shown to the other (always masked)."""

from __future__ import annotations

from dataclasses import dataclass

from models import Account, Merchant, User

from .. import crypto
from ..masking import mask_account_no, mask_name, mask_phone


@dataclass(frozen=True)
class Party:
    name: str
    ref: str | None


def merchant_party(merchant: Merchant) -> Party:
    """The payer sees the merchant by name and merchant number."""
    return Party(name=merchant.name, ref=merchant.merchant_no)


def payer_party(payer: User, wallet: Account) -> Party:
    """The merchant sees the payer's masked phone and masked account number."""
    return Party(name=mask_phone(payer.phone), ref=mask_account_no(wallet.account_no))


def person_party(user: User) -> Party:
    """Transfer parties see each other's masked real name (masked phone if none) and masked phone."""
    name = crypto.decrypt(user.real_name_enc) if user.real_name_enc else None
    return Party(name=mask_name(name) if name else mask_phone(user.phone), ref=mask_phone(user.phone))
