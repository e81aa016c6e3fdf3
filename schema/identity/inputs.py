"""Inputs of the identity mutations (names and nullability as in the contract)."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from .types import VerificationPurposeEnum


@strawberry.input
class RequestVerificationCodeInput:
    recipient: str = strawberry.field(description="Phone number (11-digit mainland mobile) or email.")
    purpose: VerificationPurposeEnum


@strawberry.input
class RegisterInput:
    phone: str
    verification_code: str
    password: str
    confirm_password: str
    email: str | None = None
    accept_terms: bool


@strawberry.input
class LoginInput:
    identifier: str = strawberry.field(description="Phone number or email.")
    password: str
    totp_code: str | None = strawberry.field(
        default=None,
        description="The dynamic token's current code; required (TOTP_REQUIRED) when the account has it on.",
    )


@strawberry.input
class RefreshSessionInput:
    refresh_token: str


@strawberry.input
class LogoutInput:
    refresh_token: str


@strawberry.input
class ResetPasswordInput:
    phone: str
    verification_code: str
    new_password: str
    confirm_password: str


@strawberry.input
class ChangePasswordInput:
    old_password: str
    new_password: str
    confirm_password: str


@strawberry.input
class SetPaymentPasswordInput:
    payment_password: str
    confirm_payment_password: str
    current_payment_password: str | None = strawberry.field(
        default=None, description="Required when a payment password is already set."
    )


@strawberry.input
class ResetPaymentPasswordInput:
    verification_code: str = strawberry.field(
        description="Code sent to the bound phone with purpose RESET_PAYMENT_PASSWORD."
    )
    payment_password: str
    confirm_payment_password: str


@strawberry.input
class ChangePhoneInput:
    new_phone: str
    verification_code: str = strawberry.field(description="Code sent to the new phone with purpose CHANGE_PHONE.")
    password: str


@strawberry.input
class SecurityQuestionInput:
    question: str
    answer: str


@strawberry.input
class SetSecurityQuestionsInput:
    questions: list[SecurityQuestionInput]
    password: str


@strawberry.input
class SubmitRealNameInput:
    real_name: str
    id_number: str
    id_card_front: Upload | None = None
    id_card_back: Upload | None = None
    selfie_with_id_card: Upload | None = None


@strawberry.input
class ReviewRealNameInput:
    review_id: strawberry.ID
    approve: bool
    note: str | None = None


@strawberry.input
class CreateQrLoginSessionInput:
    client_description: str | None = strawberry.field(
        default=None, description="Shown to the phone before it confirms, e.g. browser and city."
    )


@strawberry.input
class ScanQrLoginInput:
    payload: str


@strawberry.input
class ConfirmQrLoginInput:
    session_id: strawberry.ID
    approve: bool
    payment_password: str | None = strawberry.field(
        default=None,
        description=(
            "Confirming a sign-in on another device needs the payment password (a stolen access"
            " token alone must not mint a new session); not needed to reject."
        ),
    )
