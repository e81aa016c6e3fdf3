"""Identity queries, mutations and subscriptions."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.errors import DomainError
from resolvers import identity as resolve

from ..context import Info
from ..errors import OkPayload, UserError, returns_payload
from ..node import from_global_id, register_node
from ..permissions import SIGNED_IN, STAFF
from .inputs import (
    ChangePasswordInput,
    ChangePhoneInput,
    ConfirmQrLoginInput,
    CreateQrLoginSessionInput,
    LoginInput,
    LogoutInput,
    RefreshSessionInput,
    RegisterInput,
    RequestVerificationCodeInput,
    ResetPasswordInput,
    ResetPaymentPasswordInput,
    ReviewRealNameInput,
    ScanQrLoginInput,
    SetPaymentPasswordInput,
    SetSecurityQuestionsInput,
    SubmitRealNameInput,
)
from .payloads import (
    CreateQrLoginSessionPayload,
    LoginPayload,
    LogoutPayload,
    QrLoginSessionPayload,
    RegisterPayload,
    RequestVerificationCodePayload,
    SubmitRealNamePayload,
    UserPayload,
)
from .types import AuthTokens, QrLoginEvent, QrLoginSessionType, QrLoginStatusEnum, RealNameReviewType, UserType


@register_node("User")
async def _load_user(info: Info, pk: int) -> UserType | None:
    user = await resolve.user_node(info.context, pk)
    return UserType.from_model(user) if user else None


@register_node("RealNameReview")
async def _load_review(info: Info, pk: int) -> RealNameReviewType | None:
    review = await resolve.review_node(info.context, pk)
    return RealNameReviewType.from_model(review) if review else None


def _ok() -> OkPayload:
    return OkPayload(ok=True, errors=[])


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user; null when the request carries no valid token.")
    async def viewer(self, info: Info) -> UserType | None:
        user = await info.context.viewer()
        return UserType.from_model(user) if user else None

    @strawberry.field(description="Staff only.", permission_classes=STAFF)
    async def real_name_review_queue(self) -> list[RealNameReviewType]:
        return [RealNameReviewType.from_model(r) for r in await resolve.real_name_queue()]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def request_verification_code(
        self, info: Info, input: RequestVerificationCodeInput
    ) -> RequestVerificationCodePayload:
        try:
            wait = await resolve.request_code(info.context, input.recipient, input.purpose.value)
        except DomainError as error:
            return RequestVerificationCodePayload(
                sent=False, retry_after_seconds=error.retry_after_seconds or 0, errors=[UserError.from_domain(error)]
            )
        return RequestVerificationCodePayload(sent=True, retry_after_seconds=wait, errors=[])

    @strawberry.mutation
    @returns_payload(RegisterPayload)
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        return RegisterPayload(user=UserType.from_model(await resolve.register(info.context, input)), errors=[])

    @strawberry.mutation
    @returns_payload(LoginPayload)
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        signed_in = await resolve.password_login(info.context, input.identifier, input.password, input.totp_code)
        return LoginPayload(auth=AuthTokens.from_signed_in(signed_in), errors=[])

    @strawberry.mutation
    @returns_payload(LoginPayload)
    async def refresh_session(self, info: Info, input: RefreshSessionInput) -> LoginPayload:
        signed_in = await resolve.refresh(info.context, input.refresh_token)
        return LoginPayload(auth=AuthTokens.from_signed_in(signed_in), errors=[])

    @strawberry.mutation
    @returns_payload(LogoutPayload, ok=False)
    async def logout(self, info: Info, input: LogoutInput) -> LogoutPayload:
        await resolve.logout(info.context, input.refresh_token)
        return LogoutPayload(ok=True, errors=[])

    @strawberry.mutation
    @returns_payload(OkPayload, ok=False)
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> OkPayload:
        await resolve.reset_password(info.context, input)
        return _ok()

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(OkPayload, ok=False)
    async def change_password(self, info: Info, input: ChangePasswordInput) -> OkPayload:
        await resolve.change_password(info.context, input)
        return _ok()

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(OkPayload, ok=False)
    async def set_payment_password(self, info: Info, input: SetPaymentPasswordInput) -> OkPayload:
        await resolve.set_payment_password(info.context, input)
        return _ok()

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(OkPayload, ok=False)
    async def reset_payment_password(self, info: Info, input: ResetPaymentPasswordInput) -> OkPayload:
        await resolve.reset_payment_password(info.context, input)
        return _ok()

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(UserPayload)
    async def change_phone(self, info: Info, input: ChangePhoneInput) -> UserPayload:
        return UserPayload(user=UserType.from_model(await resolve.change_phone(info.context, input)), errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(OkPayload, ok=False)
    async def set_security_questions(self, info: Info, input: SetSecurityQuestionsInput) -> OkPayload:
        await resolve.set_security_questions(info.context, input)
        return _ok()

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(SubmitRealNamePayload)
    async def submit_real_name_verification(self, info: Info, input: SubmitRealNameInput) -> SubmitRealNamePayload:
        user = await resolve.submit_real_name(info.context, input)
        return SubmitRealNamePayload(user=UserType.from_model(user), errors=[])

    @strawberry.mutation(description="Staff only.", permission_classes=STAFF)
    @returns_payload(UserPayload)
    async def review_real_name_verification(self, info: Info, input: ReviewRealNameInput) -> UserPayload:
        review_id = from_global_id(input.review_id, "RealNameReview")
        user = await resolve.review_real_name(info.context, review_id, input.approve, input.note)
        return UserPayload(user=UserType.from_model(user), errors=[])

    @strawberry.mutation
    @returns_payload(CreateQrLoginSessionPayload)
    async def create_qr_login_session(
        self, info: Info, input: CreateQrLoginSessionInput
    ) -> CreateQrLoginSessionPayload:
        session, secret = await resolve.create_qr_session(info.context, input.client_description)
        return CreateQrLoginSessionPayload(session=QrLoginSessionType.from_model(session), secret=secret, errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(QrLoginSessionPayload)
    async def scan_qr_login(self, info: Info, input: ScanQrLoginInput) -> QrLoginSessionPayload:
        session = await resolve.scan_qr(info.context, input.payload)
        return QrLoginSessionPayload(
            session=QrLoginSessionType.from_model(session), client_description=session.client_description, errors=[]
        )

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(QrLoginSessionPayload)
    async def confirm_qr_login(self, info: Info, input: ConfirmQrLoginInput) -> QrLoginSessionPayload:
        session_id = from_global_id(input.session_id, "QrLoginSession")
        session = await resolve.confirm_qr(info.context, session_id, input.approve, input.payment_password)
        return QrLoginSessionPayload(
            session=QrLoginSessionType.from_model(session), client_description=session.client_description, errors=[]
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="For the client that created the session; no token needed, the secret proves it."
    )
    async def qr_login_status(
        self, info: Info, session_id: strawberry.ID, secret: str
    ) -> AsyncGenerator[QrLoginEvent, None]:
        updates = resolve.watch_qr(info.context, from_global_id(session_id, "QrLoginSession"), secret)
        async for update in updates:
            yield QrLoginEvent(
                status=QrLoginStatusEnum(update.status),
                session=QrLoginSessionType.from_model(update.session, update.status),
                auth=AuthTokens.from_signed_in(update.signed_in) if update.signed_in else None,
            )
