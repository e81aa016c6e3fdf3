"""Masks for personal data in every output."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_name(name: str) -> str:
    return name[0] + "*" * max(len(name) - 1, 1) if name else ""


def mask_id_number(id_number: str) -> str:
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}" if len(id_number) > 8 else "****"


def mask_card(number: str) -> str:
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}" if len(number) > 10 else "****"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_account_no(account_no: str) -> str:
    return f"{account_no[:4]}****{account_no[-4:]}"
