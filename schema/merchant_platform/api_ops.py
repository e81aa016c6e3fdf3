"""Merchant platform operations API: webhook endpoints, delivery replay, payouts."""

from __future__ import annotations

import strawberry

from app.errors import DomainError, ErrorCode
from resolvers import merchant_platform_ops as ops

from ..context import Info
from ..errors import OkPayload, returns_payload
from ..node import from_global_id, register_node
from .ops_types import (
    CreateWebhookEndpointInput,
    CreateWebhookEndpointPayload,
    DeleteWebhookEndpointInput,
    PayoutPayload,
    PayoutType,
    ReplayWebhookDeliveryInput,
    RequestPayoutInput,
    WebhookDeliveryPayload,
    WebhookDeliveryType,
    WebhookEndpointType,
)


def _pk(global_id: str, type_name: str, field: str, message: str) -> int:
    pk = from_global_id(global_id, type_name)
    if pk is None:
        raise DomainError(ErrorCode.NOT_FOUND, message, ("input", field))
    return pk


@register_node("WebhookEndpoint")
async def _load_endpoint(info: Info, pk: int) -> WebhookEndpointType | None:
    endpoint = await ops.endpoint_node(info.context, pk)
    return WebhookEndpointType.from_model(endpoint) if endpoint else None


@register_node("WebhookDelivery")
async def _load_delivery(info: Info, pk: int) -> WebhookDeliveryType | None:
    delivery = await ops.delivery_node(info.context, pk)
    return WebhookDeliveryType.from_model(delivery) if delivery else None


@register_node("Payout")
async def _load_payout(info: Info, pk: int) -> PayoutType | None:
    payout = await ops.payout_node(info.context, pk)
    return PayoutType.from_model(payout) if payout else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Merchant owner (or API key with WEBHOOKS). The secret is shown once.")
    @returns_payload(CreateWebhookEndpointPayload)
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        endpoint, secret = await ops.create_endpoint(
            info.context, input.merchant_no, input.url, [e.value for e in input.events]
        )
        return CreateWebhookEndpointPayload(endpoint=WebhookEndpointType.from_model(endpoint), secret=secret, errors=[])

    @strawberry.mutation(description="Merchant owner (or API key with WEBHOOKS).")
    @returns_payload(OkPayload)
    async def delete_webhook_endpoint(self, info: Info, input: DeleteWebhookEndpointInput) -> OkPayload:
        await ops.delete_endpoint(info.context, from_global_id(input.endpoint_id, "WebhookEndpoint"))
        return OkPayload(ok=True, errors=[])

    @strawberry.mutation(
        description="Send a delivery again now (same event id and body); a failure starts a new retry schedule."
    )
    @returns_payload(WebhookDeliveryPayload)
    async def replay_webhook_delivery(
        self, info: Info, input: ReplayWebhookDeliveryInput
    ) -> WebhookDeliveryPayload:
        delivery = await ops.replay_delivery(info.context, from_global_id(input.delivery_id, "WebhookDelivery"))
        return WebhookDeliveryPayload(delivery=WebhookDeliveryType.from_model(delivery), errors=[])

    @strawberry.mutation(description="Merchant owner: pay out the merchant account's balance to a bank card bound by the owner.")
    @returns_payload(PayoutPayload)
    async def request_payout(self, info: Info, input: RequestPayoutInput) -> PayoutPayload:
        payout = await ops.request_payout(
            info.context,
            merchant_no=input.merchant_no,
            amount=input.amount,
            bank_card_id=_pk(input.bank_card_id, "BankCard", "bankCardId", "未找到该银行卡"),
            payment_password=input.payment_password,
            idempotency_key=input.idempotency_key,
        )
        return PayoutPayload(payout=PayoutType.from_model(payout), errors=[])
