"""The User type, identity enums, sign-in tokens, QR login sessions and real-name reviews."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.identity import qr_login
from app.identity.roles import Role
from app.identity.sessions import SignedIn
from app.masking import mask_email, mask_id_number, mask_name, mask_phone
from models import User
from models.identity import QrLoginSession, RealNameReview
from resolvers import users as user_resolvers

from ..context import Info
from ..money.types import AccountStatusEnum, AccountType, BankCardType
from ..node import Node, to_global_id
from ..permissions import STAFF

if TYPE_CHECKING:
    from ..payments.types import MerchantType


strawberry.enum(Role, name="Role")  # the domain enum, served as GraphQL enum Role
RoleEnum = Role


@strawberry.enum(name="RealNameStatus")
class RealNameStatusEnum(Enum):
    UNVERIFIED = "UNVERIFIED"
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


@strawberry.type(name="User")
class UserType(Node):
    _model: strawberry.Private[User]
    id: strawberry.ID
    phone: str = strawberry.field(description="Masked, e.g. 138****8000.")
    real_name_status: RealNameStatusEnum
    roles: list[RoleEnum]
    status: AccountStatusEnum
    has_payment_password: bool

    @strawberry.field
    async def security_question_count(self) -> int:
        return await user_resolvers.security_question_count(self._model)

    @strawberry.field(description="Whether the dynamic token (TOTP, RFC 6238) is on.")
    async def totp_enabled(self) -> bool:
        return await user_resolvers.totp_enabled(self._model)

    @strawberry.field(description="Version of the user agreement and privacy policy the user accepted.")
    def accepted_terms_version(self) -> str | None:
        return self._model.terms_version

    @strawberry.field(description="Whether the user-presented payment code is enabled.")
    async def payment_code_enabled(self) -> bool:
        from resolvers.merchant_platform import payment_code_enabled

        return await payment_code_enabled(self._model)

    risk_tolerance: str | None = strawberry.field(
        description="C1 (most cautious) to C5; null until the risk assessment is taken."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, user: User) -> UserType:
        return cls(
            _model=user,
            id=to_global_id("User", user.id),
            phone=mask_phone(user.phone),
            real_name_status=RealNameStatusEnum(user.real_name_status),
            roles=[RoleEnum(r) for r in sorted(user.role_set)],
            status=AccountStatusEnum(user.status),
            has_payment_password=user.payment_password_hash is not None,
            risk_tolerance=user.risk_tolerance,
            created_at=user.created_at,
        )

    @strawberry.field
    async def email(self, info: Info) -> str | None:
        """The full address for its owner; masked for anyone else (staff)."""
        email = self._model.email
        if email is None:
            return None
        return email if info.context.viewer_id == self._model.id else mask_email(email)

    @strawberry.field(description="Masked, e.g. 张*.")
    def real_name(self) -> str | None:
        name = user_resolvers.real_name(self._model)
        return mask_name(name) if name else None

    @strawberry.field(description="Masked, e.g. 1101**********1234.")
    def id_number(self) -> str | None:
        number = user_resolvers.id_number(self._model)
        return mask_id_number(number) if number else None

    @strawberry.field
    async def account(self) -> AccountType:
        return AccountType.from_model(await user_resolvers.wallet(self._model))

    @strawberry.field
    async def bank_cards(self) -> list[BankCardType]:
        return [BankCardType.from_model(card, holder) for card, holder in await user_resolvers.bank_cards(self._model)]

    @strawberry.field(description="The merchant this user owns, if any.")
    async def merchant(
        self,
    ) -> Annotated[MerchantType, strawberry.lazy("schema.payments.types")] | None:
        from ..payments.types import MerchantType

        merchant = await user_resolvers.merchant(self._model)
        return MerchantType.from_model(merchant) if merchant else None


@strawberry.enum(name="VerificationPurpose")
class VerificationPurposeEnum(Enum):
    REGISTER = "REGISTER"
    RESET_PASSWORD = "RESET_PASSWORD"
    CHANGE_PHONE = "CHANGE_PHONE"
    BIND_BANK_CARD = "BIND_BANK_CARD"
    RESET_PAYMENT_PASSWORD = "RESET_PAYMENT_PASSWORD"
    PAYMENT = "PAYMENT"
    CLOSE_ACCOUNT = "CLOSE_ACCOUNT"


@strawberry.enum(name="QrLoginStatus")
class QrLoginStatusEnum(Enum):
    PENDING = "PENDING"
    SCANNED = "SCANNED"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


@strawberry.type(name="AuthTokens")
class AuthTokens:
    access_token: str
    refresh_token: str
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    user: UserType

    @classmethod
    def from_signed_in(cls, signed_in: SignedIn) -> AuthTokens:
        return cls(
            access_token=signed_in.access_token,
            refresh_token=signed_in.refresh_token,
            expires_in=signed_in.expires_in,
            user=UserType.from_model(signed_in.user),
        )


@strawberry.type(name="QrLoginSession")
class QrLoginSessionType:
    id: strawberry.ID
    payload: str = strawberry.field(description="The text encoded in the QR code that the mobile app scans.")
    svg: str = strawberry.field(description="SVG image of the QR code.")
    status: QrLoginStatusEnum
    expires_at: datetime

    @classmethod
    def from_model(cls, session: QrLoginSession, status: str | None = None) -> QrLoginSessionType:
        payload = qr_login.payload_of(session)
        return cls(
            id=to_global_id("QrLoginSession", session.id),
            payload=payload,
            svg=qr_login.svg_of(payload),
            status=QrLoginStatusEnum(status or session.status),
            expires_at=session.expires_at,
        )


@strawberry.type(name="QrLoginEvent")
class QrLoginEvent:
    status: QrLoginStatusEnum
    session: QrLoginSessionType
    auth: AuthTokens | None = strawberry.field(description="Present once, with status CONFIRMED.")


@strawberry.type(name="RealNameReview")
class RealNameReviewType(Node):
    _model: strawberry.Private[RealNameReview]
    id: strawberry.ID
    real_name: str = strawberry.field(description="Masked, e.g. 张*.")
    id_number: str = strawberry.field(description="Masked, e.g. 1101**********1234.")
    status: RealNameStatusEnum
    note: str | None = strawberry.field(description="The reviewer's note (the reason of a rejection).")
    reviewed_at: datetime | None
    photo_urls: list[str] = strawberry.field(
        description="Staff-only links to the uploaded ID photos (send the access token as a Bearer header)."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, review: RealNameReview) -> RealNameReviewType:
        return cls(
            _model=review,
            id=to_global_id("RealNameReview", review.id),
            real_name=mask_name(user_resolvers.review_real_name(review)),
            id_number=mask_id_number(user_resolvers.review_id_number(review)),
            status=RealNameStatusEnum(review.status),
            note=review.note,
            reviewed_at=review.reviewed_at,
            photo_urls=user_resolvers.review_photo_urls(review),
            created_at=review.created_at,
        )

    @strawberry.field
    async def user(self) -> UserType:
        return UserType.from_model(await user_resolvers.review_subject(self._model))

    @strawberry.field(
        description="Staff only: the real name as submitted, unmasked, to compare with the photos (each read is audited).",
        permission_classes=STAFF,
    )
    async def unmasked_real_name(self, info: Info) -> str:
        return await user_resolvers.reveal_for_review(info.context, self._model, "realName")

    @strawberry.field(
        description="Staff only: the ID number as submitted, unmasked, to compare with the photos (each read is audited).",
        permission_classes=STAFF,
    )
    async def unmasked_id_number(self, info: Info) -> str:
        return await user_resolvers.reveal_for_review(info.context, self._model, "idNumber")
