"""Phone numbers and email addresses as the platform accepts and stores them.

Phones are mainland mobiles kept as their 11 national digits (``phonenumbers``
decides what is a mobile number); emails are shape-checked and kept lower-case.
"""

from __future__ import annotations

import re

import phonenumbers

from ..errors import DomainError, ErrorCode

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$")
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def mainland_mobile(raw: str) -> str | None:
    """The 11-digit national form of a mainland mobile number, or None."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    if (
        number.country_code != 86
        or len(national) != 11
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        return None
    return national


def email_address(raw: str) -> str | None:
    """The lower-cased address when it has the shape of one, else None."""
    text = (raw or "").strip()
    if len(text) > 254 or not _EMAIL.match(text) or ".." in text:
        return None
    return text.lower()


def require_phone(raw: str, field: tuple[str, ...]) -> str:
    phone = mainland_mobile(raw)
    if phone is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入有效的 11 位中国大陆手机号码", field)
    return phone


def require_email(raw: str, field: tuple[str, ...]) -> str:
    email = email_address(raw)
    if email is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入有效的邮箱地址", field)
    return email


def require_recipient(raw: str, field: tuple[str, ...]) -> str:
    """A phone number or an email address, normalised."""
    if "@" in (raw or ""):
        return require_email(raw, field)
    phone = mainland_mobile(raw)
    if phone is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请输入有效的 11 位中国大陆手机号码或邮箱地址", field)
    return phone
