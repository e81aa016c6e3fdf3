"""The merchant platform's fields of the Merchant type (mixed into ``schema.payments.types.MerchantType``)."""

from __future__ import annotations

import strawberry

from models import Merchant
from resolvers import merchant_platform as resolvers

from ..context import Info
from ..pagination import to_connection
from .types import MerchantApiKeyType, OrderConnection, OrderStatusEnum, OrderType


@strawberry.type
class MerchantPlatformFields:
    """Reads ``self._model`` (the Merchant row) of the type it is mixed into."""

    _model: strawberry.Private[Merchant]

    @strawberry.field(description="Fee on each paid order, in basis points (owner and staff).")
    async def fee_rate_bps(self, info: Info) -> int | None:
        return await resolvers.merchant_fee_rate(info.context, self._model)

    @strawberry.field(description="Owner and staff only (empty otherwise).")
    async def api_keys(self, info: Info) -> list[MerchantApiKeyType]:
        keys = await resolvers.merchant_api_keys(info.context, self._model)
        return [MerchantApiKeyType.from_model(k) for k in keys]

    @strawberry.field(description="Newest first; owner, staff and API keys with ORDERS (empty otherwise).")
    async def orders(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: OrderStatusEnum | None = None,
    ) -> OrderConnection:
        page = await resolvers.merchant_orders(
            info.context, self._model,
            first=first, after=after, status=status.value if status else None,
        )
        return to_connection(page, OrderType.from_model)
