"""Dynamic token (TOTP) enrolment and removal (guide 5.3.4)."""

from __future__ import annotations

import strawberry

from resolvers import totp as resolve

from ..context import Info
from ..errors import OkPayload, UserError, returns_payload
from ..permissions import SIGNED_IN


@strawberry.input
class BeginTotpEnrollmentInput:
    password: str


@strawberry.type
class TotpEnrollment:
    secret: str = strawberry.field(description="Base32 secret, for typing into an authenticator app.")
    uri: str = strawberry.field(description="otpauth:// URI (issuer fenpay).")
    qr_svg: str = strawberry.field(description="SVG of the URI as a QR code.")


@strawberry.type
class BeginTotpEnrollmentPayload:
    enrollment: TotpEnrollment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ConfirmTotpEnrollmentInput:
    code: str


@strawberry.type
class ConfirmTotpEnrollmentPayload:
    recovery_codes: list[str] | None = strawberry.field(default=None, description="Single-use recovery codes, shown once.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DisableTotpInput:
    password: str
    code: str = strawberry.field(description="A current code or an unused recovery code.")


@strawberry.type
class TotpMutation:
    @strawberry.mutation(
        description="Start enrolling the dynamic token (login password); off until confirmed.",
        permission_classes=SIGNED_IN,
    )
    @returns_payload(BeginTotpEnrollmentPayload)
    async def begin_totp_enrollment(self, info: Info, input: BeginTotpEnrollmentInput) -> BeginTotpEnrollmentPayload:
        enrollment = await resolve.begin(info.context, input.password)
        return BeginTotpEnrollmentPayload(
            enrollment=TotpEnrollment(secret=enrollment.secret, uri=enrollment.uri, qr_svg=enrollment.qr_svg),
            errors=[],
        )

    @strawberry.mutation(
        description="Turn the dynamic token on with the first code; returns 10 single-use recovery codes.",
        permission_classes=SIGNED_IN,
    )
    @returns_payload(ConfirmTotpEnrollmentPayload)
    async def confirm_totp_enrollment(
        self, info: Info, input: ConfirmTotpEnrollmentInput
    ) -> ConfirmTotpEnrollmentPayload:
        codes = await resolve.confirm(info.context, input.code)
        return ConfirmTotpEnrollmentPayload(recovery_codes=codes, errors=[])

    @strawberry.mutation(
        description="Turn the dynamic token off: login password plus a current code or a recovery code.",
        permission_classes=SIGNED_IN,
    )
    @returns_payload(OkPayload, ok=False)
    async def disable_totp(self, info: Info, input: DisableTotpInput) -> OkPayload:
        await resolve.disable(info.context, input.password, input.code)
        return OkPayload(ok=True, errors=[])
