"""Payloads of the identity mutations: the result, or ``errors`` when a rule said no."""

from __future__ import annotations

import strawberry

from ..errors import UserError
from .types import AuthTokens, QrLoginSessionType, UserType


@strawberry.type
class RequestVerificationCodePayload:
    sent: bool
    retry_after_seconds: int = strawberry.field(
        description="Seconds before another code may be requested for this recipient."
    )
    errors: list[UserError]


@strawberry.type
class RegisterPayload:
    user: UserType | None = None
    errors: list[UserError]


@strawberry.type
class LoginPayload:
    auth: AuthTokens | None = None
    errors: list[UserError]


@strawberry.type
class LogoutPayload:
    ok: bool
    errors: list[UserError]


@strawberry.type
class UserPayload:
    user: UserType | None = None
    errors: list[UserError]


@strawberry.type
class SubmitRealNamePayload:
    user: UserType | None = None
    errors: list[UserError]


@strawberry.type
class CreateQrLoginSessionPayload:
    session: QrLoginSessionType | None = None
    secret: str | None = strawberry.field(
        default=None, description="Known only to the creating client; needed to subscribe to the session."
    )
    errors: list[UserError]


@strawberry.type
class QrLoginSessionPayload:
    session: QrLoginSessionType | None = None
    client_description: str | None = strawberry.field(default=None, description="What the phone shows before confirming.")
    errors: list[UserError]
