"""Request-to-pay resolvers: who may call, input to service call, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.errors import DomainError, ErrorCode
from app.ledger.kernel import MoneyResult
from app.pay_requests import queries
from app.pay_requests.create import NewRequest, create_request
from app.pay_requests.live import changes, inbox_topic, request_topic
from app.pay_requests.settle import PayPart, decline_item, pay_item
from app.red_packets.queries import name_shown
from models.pay_requests import PayRequest, PayRequestItem

from . import loaders
from .context import RequestContext


async def create(ctx: RequestContext, request: NewRequest) -> PayRequest:
    return await create_request(await ctx.require_viewer(), request)


async def pay(ctx: RequestContext, part: PayPart) -> tuple[PayRequestItem, MoneyResult]:
    return await pay_item(await ctx.require_viewer(), part)


async def decline(ctx: RequestContext, item_id: int | None) -> PayRequestItem:
    return await decline_item(await ctx.require_viewer(), item_id)


async def request_node(ctx: RequestContext, pk: int) -> PayRequest | None:
    return await queries.visible_request(await ctx.viewer(), pk)


async def by_no(ctx: RequestContext, request_no: str) -> PayRequest | None:
    return await queries.by_no(await ctx.require_viewer(), request_no)


async def sent(ctx: RequestContext) -> list[PayRequest]:
    return await queries.sent_by(await ctx.require_viewer())


async def inbox(ctx: RequestContext, status: str | None) -> list[PayRequestItem]:
    return await queries.inbox_of(await ctx.require_viewer(), status)


async def items(ctx: RequestContext, request: PayRequest) -> list[PayRequestItem]:
    return await queries.items_of(request, await ctx.viewer())


async def request_of(item: PayRequestItem) -> PayRequest:
    return await PayRequest.get(id=item.request_id)


async def display_name(user_id: int) -> str:
    """A requester's or payer's masked name (users loader: one query for all items of a page)."""
    return name_shown(await loaders.current().users.load(user_id))


async def live_request(ctx: RequestContext, request_no: str) -> AsyncIterator[PayRequest]:
    """A request the viewer made: now, then after every payment, decline or expiry."""
    viewer = await ctx.require_viewer()
    found = await queries.by_no(viewer, request_no)
    if found is None or found.requester_id != viewer.id:
        raise DomainError(ErrorCode.NOT_FOUND, "收款请求不存在", ("requestNo",))
    async for _change in changes(request_topic(found.id)):
        yield await PayRequest.get(id=found.id)


async def live_inbox(ctx: RequestContext) -> AsyncIterator[list[PayRequestItem]]:
    """The viewer's pending parts now, then again whenever a request reaches or leaves them."""
    viewer = await ctx.require_viewer()
    async for _change in changes(inbox_topic(viewer.id)):
        yield await queries.inbox_of(viewer)
