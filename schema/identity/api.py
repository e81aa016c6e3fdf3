"""Identity queries, mutations and subscriptions."""

from __future__ import annotations

import strawberry

from .types import UserType


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user; null when the request carries no valid token.")
    async def viewer(self, info: strawberry.Info) -> UserType | None:
        user = await info.context.viewer()
        return UserType.from_model(user) if user else None
