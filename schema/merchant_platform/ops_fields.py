"""Fields the merchant platform adds to ``Merchant`` (mixed into MerchantType):
webhookEndpoints, webhookDeliveries, events, statement, payouts."""

from __future__ import annotations

import strawberry

from models import Merchant
from resolvers import merchant_platform_ops as ops

from ..context import Info
from ..pagination import PageInfo, to_connection
from .ops_types import (
    MerchantEventConnection,
    MerchantEventEdge,
    MerchantEventType,
    MerchantStatementType,
    PayoutConnection,
    PayoutType,
    WebhookDeliveryConnection,
    WebhookDeliveryStatusEnum,
    WebhookDeliveryType,
    WebhookEndpointType,
)


@strawberry.type
class MerchantPlatformOpsFields:
    """Owner (or an API key of the merchant with the scope) only; empty or null for anyone else."""

    _model: strawberry.Private[Merchant]

    @strawberry.field
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpointType]:
        return [WebhookEndpointType.from_model(e) for e in await ops.endpoints_of(info.context, self._model)]

    @strawberry.field
    async def webhook_deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: WebhookDeliveryStatusEnum | None = None,
    ) -> WebhookDeliveryConnection:
        page = await ops.deliveries_of(
            info.context, self._model, first=first, after=after, status=status.value if status else None
        )
        return to_connection(page, WebhookDeliveryType.from_model)

    @strawberry.field(description="Events of the last 30 days, oldest first after the cursor.")
    async def events(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> MerchantEventConnection:
        page = await ops.events_of(info.context, self._model, first=first, after=after)
        edges = [
            MerchantEventEdge(cursor=cursor, node=MerchantEventType.from_model(event))
            for cursor, event in zip(page.cursors, page.items, strict=False)
        ]
        return MerchantEventConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
        )

    @strawberry.field(description="Null before the day has ended (and the day-end job has run).")
    async def statement(self, info: Info, date: str) -> MerchantStatementType | None:
        statement = await ops.statement_of(info.context, self._model, date)
        return MerchantStatementType.from_model(statement, self._model) if statement else None

    @strawberry.field
    async def payouts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> PayoutConnection:
        page = await ops.payouts_of(info.context, self._model, first=first, after=after)
        return to_connection(page, PayoutType.from_model)
