"""Payee operations: GraphQL input to app.payees calls (no rules live here)."""

from __future__ import annotations

from app import payees

from .context import RequestContext


async def my_payees(ctx: RequestContext) -> list[payees.PayeeView]:
    return await payees.list_payees(await ctx.require_viewer())


async def add(ctx: RequestContext, recipient: str, alias: str | None) -> payees.PayeeView:
    return await payees.add_payee(await ctx.require_viewer(), recipient, alias, ctx.client_ip)


async def remove(ctx: RequestContext, payee_id: int) -> None:
    await payees.remove_payee(await ctx.require_viewer(), payee_id, ctx.client_ip)


async def recent(ctx: RequestContext, first: int) -> list[payees.RecentRecipient]:
    return await payees.recent_recipients(await ctx.require_viewer(), first)
