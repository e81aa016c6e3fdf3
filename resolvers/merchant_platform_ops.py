"""Merchant platform operations: webhook endpoints and deliveries, events feed, statements, payouts.

Thin: who may act (``merchant_platform_access``), then the service call. No SQL, no money arithmetic.
"""

from __future__ import annotations

from app import clock, crypto
from app.errors import DomainError, ErrorCode
from app.merchant_platform import payouts, statements, webhook_delivery, webhooks
from app.merchant_platform.events import FEED_RETENTION
from models import BankCard, Merchant, Transaction
from models.merchant_platform_events import MerchantEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.merchant_platform_money import MerchantStatement, Payout

from . import loaders
from .context import RequestContext
from .merchant_platform_access import Unauthenticated, acting_merchant, may_read
from .pagination import Page, paginate

WEBHOOKS = "WEBHOOKS"
STATEMENTS = "STATEMENTS"
PAYOUTS = "PAYOUTS"


# --- webhook endpoints -------------------------------------------------------------------------

async def create_endpoint(
    ctx: RequestContext, merchant_no: str | None, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    merchant, owner = await acting_merchant(ctx, merchant_no, WEBHOOKS)
    return await webhooks.create_endpoint(
        merchant.id, url, events, actor_id=owner.id if owner else None, ip=ctx.client_ip
    )


async def _endpoint_owner_merchant(ctx: RequestContext, endpoint_id: int | None) -> WebhookEndpoint:
    """The endpoint, when the caller may manage its merchant (NOT_FOUND otherwise)."""
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id, deleted_at=None) if endpoint_id else None
    merchant = await Merchant.get_or_none(id=endpoint.merchant_id) if endpoint else None
    if merchant is None or not await may_read(ctx, merchant, WEBHOOKS):
        if await ctx.viewer() is None and not ctx.has_api_key:
            raise Unauthenticated("请先登录 (authentication required)")
        raise DomainError(ErrorCode.NOT_FOUND, "通知地址不存在", ("input", "endpointId"))
    assert endpoint is not None
    return endpoint


async def delete_endpoint(ctx: RequestContext, endpoint_id: int | None) -> None:
    endpoint = await _endpoint_owner_merchant(ctx, endpoint_id)
    viewer = await ctx.viewer()
    await webhooks.delete_endpoint(
        endpoint.merchant_id, endpoint.id, actor_id=viewer.id if viewer else None, ip=ctx.client_ip
    )


async def endpoints_of(ctx: RequestContext, merchant: Merchant) -> list[WebhookEndpoint]:
    if not await may_read(ctx, merchant, WEBHOOKS):
        return []
    return await webhooks.live_endpoints(merchant.id)


async def endpoint_node(ctx: RequestContext, pk: int) -> WebhookEndpoint | None:
    endpoint = await WebhookEndpoint.get_or_none(id=pk)
    merchant = await Merchant.get_or_none(id=endpoint.merchant_id) if endpoint else None
    return endpoint if merchant and await may_read(ctx, merchant, WEBHOOKS) else None


async def endpoint_of(delivery: WebhookDelivery) -> WebhookEndpoint:
    return await WebhookEndpoint.get(id=delivery.endpoint_id)


# --- deliveries --------------------------------------------------------------------------------

async def deliveries_of(
    ctx: RequestContext, merchant: Merchant, *, first: int | None, after: str | None, status: str | None
) -> Page[WebhookDelivery]:
    if not await may_read(ctx, merchant, WEBHOOKS):
        return Page(items=[], cursors=[], has_next=False, has_previous=False, total=0)
    queryset = WebhookDelivery.filter(merchant_id=merchant.id)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset.select_related("event"), first=first, after=after)


async def delivery_node(ctx: RequestContext, pk: int) -> WebhookDelivery | None:
    delivery = await WebhookDelivery.get_or_none(id=pk).select_related("event")
    merchant = await Merchant.get_or_none(id=delivery.merchant_id) if delivery else None
    return delivery if merchant and await may_read(ctx, merchant, WEBHOOKS) else None


async def replay_delivery(ctx: RequestContext, delivery_id: int | None) -> WebhookDelivery:
    delivery = await WebhookDelivery.get_or_none(id=delivery_id) if delivery_id else None
    merchant = await Merchant.get_or_none(id=delivery.merchant_id) if delivery else None
    if delivery is None or merchant is None or not await may_read(ctx, merchant, WEBHOOKS):
        if await ctx.viewer() is None and not ctx.has_api_key:
            raise Unauthenticated("请先登录 (authentication required)")
        raise DomainError(ErrorCode.NOT_FOUND, "通知记录不存在", ("input", "deliveryId"))
    replayed = await webhook_delivery.replay(merchant.id, delivery.id)
    return await WebhookDelivery.get(id=replayed.id).select_related("event")


async def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return await webhook_delivery.attempt_log(delivery.id)


# --- events feed -------------------------------------------------------------------------------

async def events_of(
    ctx: RequestContext, merchant: Merchant, *, first: int | None, after: str | None
) -> Page[MerchantEvent]:
    """Events of the last 30 days, oldest first after the cursor (owner or any key of the merchant)."""
    if not await may_read(ctx, merchant, None):
        return Page(items=[], cursors=[], has_next=False, has_previous=False, total=0)
    since = clock.now() - FEED_RETENTION
    queryset = MerchantEvent.filter(merchant_id=merchant.id, created_at__gte=since)
    return await paginate(queryset, first=first, after=after, ascending=True, count=False)


# --- statements --------------------------------------------------------------------------------

async def statement_of(ctx: RequestContext, merchant: Merchant, day: str) -> MerchantStatement | None:
    if not await may_read(ctx, merchant, STATEMENTS):
        return None
    return await statements.statement_of(merchant.id, day)


def statement_csv_url(merchant: Merchant, statement: MerchantStatement) -> str:
    return statements.csv_url(merchant.merchant_no, statement.day)


# --- payouts -----------------------------------------------------------------------------------

async def request_payout(
    ctx: RequestContext, *, merchant_no: str, amount: int, bank_card_id: int | None, payment_password: str,
    idempotency_key: str,
) -> Payout:
    viewer = await ctx.viewer()
    if viewer is None:
        raise Unauthenticated("请先登录 (authentication required)")
    merchant, owner = await acting_merchant(ctx, merchant_no, PAYOUTS)
    assert owner is not None
    request = payouts.PayoutRequest(
        amount=amount, bank_card_id=bank_card_id, payment_password=payment_password, idempotency_key=idempotency_key
    )
    return await payouts.request_payout(owner, merchant, request, ip=ctx.client_ip)


async def payouts_of(ctx: RequestContext, merchant: Merchant, *, first: int | None, after: str | None) -> Page[Payout]:
    if not await may_read(ctx, merchant, PAYOUTS):
        return Page(items=[], cursors=[], has_next=False, has_previous=False, total=0)
    return await paginate(Payout.filter(merchant_id=merchant.id), first=first, after=after)


async def payout_node(ctx: RequestContext, pk: int) -> Payout | None:
    payout = await Payout.get_or_none(id=pk)
    merchant = await Merchant.get_or_none(id=payout.merchant_id) if payout else None
    return payout if merchant and await may_read(ctx, merchant, PAYOUTS) else None


async def payout_card(payout: Payout) -> tuple[BankCard, str] | None:
    card = await BankCard.get_or_none(id=payout.bank_card_id)
    return (card, crypto.decrypt(card.holder_name_enc)) if card else None


async def payout_transaction(payout: Payout) -> Transaction:
    """A payout's transaction (transactions loader: one query for a page of payouts)."""
    return await loaders.must(loaders.current().transactions, payout.transaction_id)



