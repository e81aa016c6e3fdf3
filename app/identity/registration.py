"""Registration (2.1): phone + REGISTER code + password twice + accepted terms, optional email."""

from __future__ import annotations

from typing import cast

from tortoise.exceptions import IntegrityError

from models import User

from .. import audit
from ..compliance.documents import CURRENT_VERSION
from ..errors import DomainError, ErrorCode, ErrorCollector, input_field
from .codes import consume_code
from .password_rules import check_login_password
from .recipients import require_email, require_phone
from .users import create_user


def check_confirmation(password: str, confirmation: str, field: str = "confirmPassword") -> None:
    if password != confirmation:
        raise DomainError(ErrorCode.PASSWORD_MISMATCH, "两次输入的密码不一致", input_field(field))


async def register(
    *,
    phone: str,
    verification_code: str,
    password: str,
    confirm_password: str,
    email: str | None,
    accept_terms: bool,
    ip: str | None,
) -> User:
    """Create the user and its wallet. Returns the user; signing in is a separate step."""
    # Every field is checked and every fault reported together (FieldErrors), in form order.
    checks = ErrorCollector()
    checked_phone = checks.check(require_phone, phone, input_field("phone"))
    checks.check(check_login_password, password, input_field("password"))
    checks.check(check_confirmation, password, confirm_password)
    normalised_email = (
        checks.check(require_email, email, input_field("email")) if email and email.strip() else None
    )
    if not accept_terms:
        checks.errors.append(DomainError(
            ErrorCode.TERMS_NOT_ACCEPTED, "请阅读并同意《用户服务协议》和《隐私政策》", input_field("acceptTerms")
        ))
    checks.raise_if_any()
    phone = cast(str, checked_phone)  # set: its check passed
    # The code proves the phone is the caller's before anything about it is revealed.
    await consume_code(phone, "REGISTER", verification_code, input_field("verificationCode"))
    phone_taken = DomainError(ErrorCode.PHONE_ALREADY_REGISTERED, "该手机号已注册，请直接登录", input_field("phone"))
    email_taken = DomainError(ErrorCode.EMAIL_ALREADY_REGISTERED, "该邮箱已被其他账户使用", input_field("email"))
    if await User.filter(phone=phone).exists():
        raise phone_taken
    if normalised_email and await User.filter(email=normalised_email).exists():
        raise email_taken
    try:
        user = await create_user(phone, password, email=normalised_email, terms_version=CURRENT_VERSION)
    except IntegrityError:
        # A concurrent registration took the phone or the email between the check and the insert.
        taken = email_taken if normalised_email and await User.filter(email=normalised_email).exists() else phone_taken
        raise taken from None
    await audit.record(
        "user.register", actor_id=user.id, ip=ip,
        details={"termsVersion": CURRENT_VERSION, "withEmail": normalised_email is not None},
    )
    return user
