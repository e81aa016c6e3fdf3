"""Domain errors: every business failure carries a stable code and the input field at fault."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

T = TypeVar("T")


class ErrorCode(str, Enum):
    VALIDATION_FAILED = "VALIDATION_FAILED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    ACCOUNT_FROZEN = "ACCOUNT_FROZEN"
    INVALID_VERIFICATION_CODE = "INVALID_VERIFICATION_CODE"
    VERIFICATION_REQUIRED = "VERIFICATION_REQUIRED"
    RATE_LIMITED = "RATE_LIMITED"
    PHONE_ALREADY_REGISTERED = "PHONE_ALREADY_REGISTERED"
    EMAIL_ALREADY_REGISTERED = "EMAIL_ALREADY_REGISTERED"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    PASSWORD_MISMATCH = "PASSWORD_MISMATCH"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    PAYMENT_PASSWORD_NOT_SET = "PAYMENT_PASSWORD_NOT_SET"
    INVALID_PAYMENT_PASSWORD = "INVALID_PAYMENT_PASSWORD"
    PAYMENT_PASSWORD_LOCKED = "PAYMENT_PASSWORD_LOCKED"
    REAL_NAME_REQUIRED = "REAL_NAME_REQUIRED"
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
    INVALID_CARD_NUMBER = "INVALID_CARD_NUMBER"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    AMOUNT_BELOW_MINIMUM = "AMOUNT_BELOW_MINIMUM"
    AMOUNT_NOT_WHOLE_YUAN = "AMOUNT_NOT_WHOLE_YUAN"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    RISK_REJECTED = "RISK_REJECTED"
    CHANNEL_DECLINED = "CHANNEL_DECLINED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    NOT_FOUND = "NOT_FOUND"
    INVALID_STATE = "INVALID_STATE"
    NOT_REFUNDABLE = "NOT_REFUNDABLE"
    REFUND_EXCEEDS_REMAINING = "REFUND_EXCEEDS_REMAINING"
    PRODUCT_NOT_ON_SALE = "PRODUCT_NOT_ON_SALE"
    RISK_TOLERANCE_TOO_LOW = "RISK_TOLERANCE_TOO_LOW"
    RISK_DISCLOSURE_NOT_ACCEPTED = "RISK_DISCLOSURE_NOT_ACCEPTED"
    QR_CODE_EXPIRED = "QR_CODE_EXPIRED"
    QR_CODE_USED = "QR_CODE_USED"
    AMOUNT_TOO_LARGE = "AMOUNT_TOO_LARGE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TOO_MANY_REFUND_REQUESTS = "TOO_MANY_REFUND_REQUESTS"
    API_KEY_INVALID = "API_KEY_INVALID"
    DUPLICATE_OUT_TRADE_NO = "DUPLICATE_OUT_TRADE_NO"
    PAYMENT_CODE_INVALID = "PAYMENT_CODE_INVALID"
    TOTP_REQUIRED = "TOTP_REQUIRED"
    INVALID_TOTP_CODE = "INVALID_TOTP_CODE"
    TOTP_LOCKED = "TOTP_LOCKED"
    ACCOUNT_HAS_OBLIGATIONS = "ACCOUNT_HAS_OBLIGATIONS"
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED"
    PDF_UNAVAILABLE = "PDF_UNAVAILABLE"
    WEBHOOK_URL_INVALID = "WEBHOOK_URL_INVALID"
    RED_PACKET_EMPTY = "RED_PACKET_EMPTY"
    RED_PACKET_EXPIRED = "RED_PACKET_EXPIRED"
    RED_PACKET_ALREADY_CLAIMED = "RED_PACKET_ALREADY_CLAIMED"
    FX_QUOTE_REQUIRED = "FX_QUOTE_REQUIRED"
    FX_QUOTE_EXPIRED = "FX_QUOTE_EXPIRED"
    FX_QUOTE_USED = "FX_QUOTE_USED"
    FX_UNAVAILABLE = "FX_UNAVAILABLE"
    CURRENCY_NOT_SUPPORTED = "CURRENCY_NOT_SUPPORTED"
    FORBIDDEN = "FORBIDDEN"


class DomainError(Exception):
    """A business rule said no. ``field`` is the input path at fault, e.g. ("input", "amount")."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: tuple[str, ...] | None = None,
        *,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.retry_after_seconds = retry_after_seconds

    def __repr__(self) -> str:
        return f"DomainError({self.code.value}, {self.message!r}, field={self.field})"


class Forbidden(DomainError):
    """The viewer is known, but may not do this at all (a role or an owner check failed).

    Not a form error: the API answers it as a GraphQL error with ``extensions.code``
    FORBIDDEN (schema/errors.py), never as a ``UserError`` in a payload.
    """

    def __init__(self, message: str = "无权访问 (forbidden)") -> None:
        super().__init__(ErrorCode.FORBIDDEN, message)


def input_field(name: str) -> tuple[str, str]:
    """The path of a field of the mutation's ``input`` argument."""
    return ("input", name)


class FieldErrors(DomainError):
    """Several input fields at fault at once (a form is answered with every error, not the first).

    ``errors`` holds each field's DomainError; the exception itself reads as the first one.
    """

    def __init__(self, errors: list[DomainError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.message, first.field)
        self.errors = list(errors)


class ErrorCollector:
    """Run independent field checks, keep every DomainError, then raise them together.

    ``value = collector.check(rule, arg, ...)`` returns the rule's result, or None when it failed;
    ``collector.raise_if_any()`` raises the one error as it is, several as FieldErrors.
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, rule: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        try:
            return rule(*args, **kwargs)
        except DomainError as error:
            self.errors.append(error)
            return None

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)

