"""Personal information rights: export of one's data (PIPL art. 45) and account closure (art. 47)."""

from __future__ import annotations

from datetime import datetime

import strawberry

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
