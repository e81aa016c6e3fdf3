"""Personal information rights: export of one's data (PIPL art. 45) and account closure (art. 47)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.errors import DomainError
from app.privacy.closure import Obligation, ObligationsRemain
from resolvers import privacy as resolve

from ..context import Info
from ..errors import UserError, returns_payload
from ..permissions import SIGNED_IN


@strawberry.input
class ExportMyDataInput:
    password: str = strawberry.field(description="The login password.")


@strawberry.type
class ExportMyDataPayload:
    url: str | None = strawberry.field(
        default=None, description="JSON archive of everything fenpay holds about the viewer; works without a token until expiresAt."
    )
    expires_at: datetime | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


strawberry.enum(Obligation, name="AccountObligation")  # the domain enum, served as GraphQL enum AccountObligation
AccountObligation = Obligation


@strawberry.input
class CloseAccountInput:
    password: str = strawberry.field(description="The login password.")
    verification_code: str | None = strawberry.field(
        default=None, description="A CLOSE_ACCOUNT SMS code, or the dynamic token's current code when it is on."
    )


@strawberry.type
class CloseAccountPayload:
    ok: bool = False
    obligations: list[AccountObligation] = strawberry.field(
        default_factory=list, description="What must be settled first (with ACCOUNT_HAS_OBLIGATIONS)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        permission_classes=SIGNED_IN,
        description="What still keeps the viewer's account from being closed (empty: it may be closed).",
    )
    async def account_closure_obligations(self, info: Info) -> list[AccountObligation]:
        return await resolve.obligations(info.context)


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        permission_classes=SIGNED_IN,
        description="A signed, short-lived link to a JSON archive of the viewer's personal data.",
    )
    @returns_payload(ExportMyDataPayload)
    async def export_my_data(self, info: Info, input: ExportMyDataInput) -> ExportMyDataPayload:
        link = await resolve.export_my_data(info.context, input.password)
        return ExportMyDataPayload(url=link.url, expires_at=link.expires_at, errors=[])

    @strawberry.mutation(
        permission_classes=SIGNED_IN,
        description="Close the viewer's account: refused while money or obligations remain (each named).",
    )
    async def close_account(self, info: Info, input: CloseAccountInput) -> CloseAccountPayload:
        try:
            await resolve.close_account(info.context, input.password, input.verification_code)
        except ObligationsRemain as refused:
            return CloseAccountPayload(
                obligations=list(refused.obligations), errors=[UserError.from_domain(refused)]
            )
        except DomainError as error:
            return CloseAccountPayload(errors=[UserError.from_domain(error)])
        return CloseAccountPayload(ok=True, errors=[])
